-- Basic spending by economic classification (部门预算支出经济分类).
--
-- Answers: what each department's basic spending (基本支出) buys: wages and benefits
-- (301), goods and services (302), support for individuals and families (303), capital
-- items (310), … at the chosen level, with names, the personnel / public-use split and
-- each line's share of the department's basic spending. From the 一般公共预算基本支出表
-- (view `basic_by_econ`).
--
-- Parameters:
--   $year   fiscal year, e.g. 2021
--   $level  1 = 类 (3 digits), 2 = 款 (5 digits)
--
-- Amounts in 元, exact; shares are percentages rounded to two places.
--   yusuan sql -f sql/reports/econ_breakdown.sql --param year=2021 --param level=1
WITH lines AS (
    SELECT fiscal_year, phase, region, org_name,
           econ_rollup(econ_code, $level) AS econ_code,
           sum(total) AS total,
           sum(personnel) AS personnel,
           sum(public_use) AS public_use
    FROM basic_by_econ
    WHERE fiscal_year = $year
    GROUP BY fiscal_year, phase, region, org_name, econ_rollup(econ_code, $level)
)
SELECT fiscal_year,
       phase,
       region,
       org_name,
       econ_code,
       econ_name(econ_code, fiscal_year) AS econ_name,
       total,
       personnel,
       public_use,
       round(total * 100 / nullif(sum(total) OVER (PARTITION BY fiscal_year, phase, region, org_name), 0), 2) AS share_pct
FROM lines
ORDER BY region, org_name, phase, econ_code;
