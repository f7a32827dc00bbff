-- "三公" spending by department and year.
--
-- Answers: what each department budgets for the three public expenses (三公经费: trips
-- abroad, official receptions, official cars — purchase and running) year by year, their
-- total, and the change against the previous year's budget as the same document prints it
-- (上年预算数). With several years in the lake, each year is its own row.
--
-- Parameters: none (every department, every year).
--
-- Amounts in 元, exact. An item the document leaves blank stays NULL; the totals add what
-- is printed. change_pct is rounded to two places (negative: a cut).
--   yusuan sql -f sql/reports/three_public_by_year.sql
SELECT fiscal_year,
       phase,
       region,
       org_name,
       sum(CASE WHEN item = '因公出国（境）费' THEN budget END) AS trips_abroad,
       sum(CASE WHEN item = '公务接待费' THEN budget END) AS reception,
       sum(CASE WHEN item = '公务用车购置费' THEN budget END) AS car_purchase,
       sum(CASE WHEN item = '公务用车运行维护费' THEN budget END) AS car_running,
       sum(budget) AS total,
       sum(prior_budget) AS prior_total,
       sum(budget) - sum(prior_budget) AS change,
       round((sum(budget) - sum(prior_budget)) * 100 / nullif(sum(prior_budget), 0), 2) AS change_pct
FROM three_public
GROUP BY fiscal_year, phase, region, org_name
ORDER BY region, org_name, phase, fiscal_year;
