-- Expenditure by function (支出功能分类) at a chosen level, with names.
--
-- Answers: how much each department plans to spend on each 类 / 款 / 项 of the functional
-- classification, and how that splits into basic (基本支出) and project (项目支出)
-- spending, from the 部门支出总表 (view `expenditure`). Names come from the catalog of
-- the document's year (func_name), so a code renamed between years reads as printed then.
--
-- Parameters:
--   $year   fiscal year, e.g. 2021
--   $level  1 = 类 (3 digits), 2 = 款 (5), 3 = 项 (7)
--
-- Amounts in 元; a blank published cell stays NULL (it is not a zero).
--   yusuan sql -f sql/reports/expenditure_by_function.sql --param year=2021 --param level=1
SELECT fiscal_year,
       phase,
       region,
       org_name,
       func_rollup(func_code, $level) AS func_code,
       func_name(func_rollup(func_code, $level), fiscal_year) AS func_name,
       sum(total) AS total,
       sum(basic) AS basic,
       sum(project) AS project
FROM expenditure
WHERE fiscal_year = $year
GROUP BY fiscal_year, phase, region, org_name, func_rollup(func_code, $level),
         func_name(func_rollup(func_code, $level), fiscal_year)
ORDER BY region, org_name, phase, func_code;
