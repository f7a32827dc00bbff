-- Each department's share of its region's total.
--
-- Answers: within each region (the issuing government, e.g. 万源市) and year, how much
-- each department's budget is and what share of the region's total (all departments in the
-- lake for that region, year and phase) it makes, largest first, from the 部门支出总表.
-- The share is only as complete as the lake: departments not ingested are not counted.
--
-- Parameters:
--   $year   fiscal year, e.g. 2021
--
-- Amounts in 元, exact; share_pct rounded to two places.
--   yusuan sql -f sql/reports/regional_share.sql --param year=2021
WITH dept AS (
    SELECT fiscal_year, phase, region, org_name, sum(total) AS total
    FROM expenditure
    WHERE fiscal_year = $year
    GROUP BY fiscal_year, phase, region, org_name
)
SELECT fiscal_year,
       phase,
       region,
       org_name,
       total,
       sum(total) OVER (PARTITION BY fiscal_year, phase, region) AS region_total,
       round(total * 100 / nullif(sum(total) OVER (PARTITION BY fiscal_year, phase, region), 0), 2) AS share_pct,
       count(*) OVER (PARTITION BY fiscal_year, phase, region) AS departments
FROM dept
ORDER BY region, phase, total DESC, org_name;
