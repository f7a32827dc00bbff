-- projects: one row per project of the 项目支出 table, with its function code and amount.
CREATE VIEW projects AS
SELECT fiscal_year, phase, region, org_name, org_code, func_code, item AS project,
       sum(amount) AS amount,
       province
FROM facts
WHERE statement = 'gpb_projects' AND measure = 'amount' AND NOT is_total
  AND period = 'current'
GROUP BY fiscal_year, phase, region, org_name, org_code, func_code, item, province;
