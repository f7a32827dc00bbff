-- expenditure: the 部门支出总表 leaves of the current year, one row per unit and 项 code,
-- with its total, basic (基本支出) and project (项目支出) amounts. A blank cell stays NULL.
CREATE VIEW expenditure AS
SELECT fiscal_year, phase, region, org_name, org_code, func_code,
       sum(CASE WHEN measure = 'total' THEN amount END) AS total,
       sum(CASE WHEN measure = 'basic' THEN amount END) AS basic,
       sum(CASE WHEN measure = 'project' THEN amount END) AS project,
       province
FROM facts
WHERE statement = 'expenditure_by_func' AND NOT is_total AND period = 'current'
  AND func_code IS NOT NULL
GROUP BY fiscal_year, phase, region, org_name, org_code, func_code, province;
