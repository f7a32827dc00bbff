-- Basic vs project spending, and personnel vs public-use within basic spending.
--
-- Answers: for each department, how much of its budget keeps it running (基本支出) and
-- how much goes to projects (项目支出), from the 部门支出总表; and how its basic spending
-- splits into personnel (人员经费) and public use (公用经费), from the 一般公共预算基本支出表.
-- Shares are percentages rounded to two places; amounts are exact, in 元.
--
-- Parameters:
--   $year   fiscal year, e.g. 2021
--
--   yusuan sql -f sql/reports/basic_vs_project.sql --param year=2021
WITH spending AS (
    SELECT fiscal_year, phase, region, org_name,
           sum(total) AS total,
           coalesce(sum(basic), 0) AS basic,
           coalesce(sum(project), 0) AS project
    FROM expenditure
    WHERE fiscal_year = $year
    GROUP BY fiscal_year, phase, region, org_name
),
basic_split AS (
    SELECT fiscal_year, phase, region, org_name,
           coalesce(sum(personnel), 0) AS personnel,
           coalesce(sum(public_use), 0) AS public_use
    FROM basic_by_econ
    WHERE fiscal_year = $year
    GROUP BY fiscal_year, phase, region, org_name
)
SELECT s.fiscal_year,
       s.phase,
       s.region,
       s.org_name,
       s.total,
       s.basic,
       s.project,
       round(s.basic * 100 / nullif(s.total, 0), 2) AS basic_pct,
       round(s.project * 100 / nullif(s.total, 0), 2) AS project_pct,
       b.personnel,
       b.public_use,
       round(b.personnel * 100 / nullif(b.personnel + b.public_use, 0), 2) AS personnel_pct,
       round(b.public_use * 100 / nullif(b.personnel + b.public_use, 0), 2) AS public_use_pct
FROM spending s
LEFT JOIN basic_split b
  ON b.fiscal_year = s.fiscal_year AND b.phase = s.phase
 AND b.region = s.region AND b.org_name = s.org_name
ORDER BY s.region, s.org_name, s.phase;
