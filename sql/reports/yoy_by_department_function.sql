-- Year-over-year change by department and function.
--
-- Answers: for each department and 支出功能分类 heading at the chosen level, how this
-- year's budget compares with the previous year's (both from the lake's documents of the
-- two years, same phase): the amounts, the change and the change in percent. A heading
-- present in one year only shows NULL for the other; a department with no document for
-- the previous year shows NULL prior amounts.
--
-- Parameters:
--   $year   the later fiscal year, e.g. 2021 (compared with $year - 1)
--   $level  1 = 类 (3 digits), 2 = 款 (5), 3 = 项 (7)
--
-- Amounts in 元, exact; change_pct rounded to two places.
--   yusuan sql -f sql/reports/yoy_by_department_function.sql --param year=2021 --param level=1
WITH by_year AS (
    SELECT fiscal_year, phase, region, org_name,
           func_rollup(func_code, $level) AS func_code,
           sum(total) AS total
    FROM expenditure
    WHERE fiscal_year = $year OR fiscal_year = $year - 1
    GROUP BY fiscal_year, phase, region, org_name, func_rollup(func_code, $level)
),
cur AS (SELECT * FROM by_year WHERE fiscal_year = $year),
prev AS (SELECT * FROM by_year WHERE fiscal_year = $year - 1)
SELECT coalesce(cur.fiscal_year, prev.fiscal_year + 1) AS fiscal_year,
       coalesce(cur.phase, prev.phase) AS phase,
       coalesce(cur.region, prev.region) AS region,
       coalesce(cur.org_name, prev.org_name) AS org_name,
       coalesce(cur.func_code, prev.func_code) AS func_code,
       func_name(coalesce(cur.func_code, prev.func_code), coalesce(cur.fiscal_year, prev.fiscal_year)) AS func_name,
       cur.total AS total,
       prev.total AS prior_total,
       cur.total - prev.total AS change,
       round((cur.total - prev.total) * 100 / nullif(prev.total, 0), 2) AS change_pct
FROM cur
FULL OUTER JOIN prev
  ON cur.phase = prev.phase AND cur.region = prev.region
 AND cur.org_name = prev.org_name AND cur.func_code = prev.func_code
ORDER BY region, org_name, phase, func_code;
