-- three_public: one row per “三公” item and document year: the current budget and the
-- prior year's budget (上年预算数) where the document prints it, in 元. The same figure is
-- printed in several tables; the checks report any table that disagrees.
CREATE VIEW three_public AS
SELECT f.fiscal_year, f.phase, f.region, f.org_name, d.org_code, f.item,
       max(CASE WHEN f.period = 'current' THEN f.amount END) AS budget,
       max(CASE WHEN f.period = 'prior' THEN f.amount END) AS prior_budget,
       f.province
FROM facts f
JOIN documents d ON f.doc_id = d.doc_id
WHERE f.statement = 'three_public' AND NOT f.is_total
  AND f.item IN ('因公出国（境）费', '公务接待费', '公务用车购置费', '公务用车运行维护费')
GROUP BY f.fiscal_year, f.phase, f.region, f.org_name, d.org_code, f.item, f.province;
