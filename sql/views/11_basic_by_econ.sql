-- basic_by_econ: the 基本支出 table's leaves by 经济分类 款, with total, personnel
-- (人员经费) and public_use (公用经费). A document that prints two basic tables (苏州:
-- 财政拨款基本支出表 of all fiscal funds and 一般公共预算基本支出表) counts the
-- 一般公共预算 one only, so no amount is added twice.
CREATE VIEW basic_by_econ AS
SELECT fiscal_year, phase, region, org_name, org_code, econ_code,
       sum(CASE WHEN measure = 'total' THEN amount END) AS total,
       sum(CASE WHEN measure = 'personnel' THEN amount END) AS personnel,
       sum(CASE WHEN measure = 'public_use' THEN amount END) AS public_use,
       province
FROM (
  SELECT *,
         max(CASE WHEN fund = 'general_budget' THEN 1 ELSE 0 END)
           OVER (PARTITION BY doc_id) AS has_general_budget_table
  FROM facts
  WHERE statement = 'gpb_basic_by_econ' AND NOT is_total AND period = 'current'
    AND econ_code IS NOT NULL
)
WHERE has_general_budget_table = 0 OR fund = 'general_budget'
GROUP BY fiscal_year, phase, region, org_name, org_code, econ_code, province;
