-- basic_by_econ: the 基本支出 table's leaves by 经济分类 款, with total, personnel
-- (人员经费) and public_use (公用经费).
CREATE VIEW basic_by_econ AS
SELECT fiscal_year, phase, region, org_name, org_code, econ_code,
       sum(CASE WHEN measure = 'total' THEN amount END) AS total,
       sum(CASE WHEN measure = 'personnel' THEN amount END) AS personnel,
       sum(CASE WHEN measure = 'public_use' THEN amount END) AS public_use,
       province
FROM facts
WHERE statement = 'gpb_basic_by_econ' AND NOT is_total AND period = 'current'
  AND econ_code IS NOT NULL
GROUP BY fiscal_year, phase, region, org_name, org_code, econ_code, province;
