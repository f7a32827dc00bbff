-- facts: one published amount per row, every table of every document (the v1 contract).
-- The files are `lake.facts`; this view puts fiscal_year in its contract position.
CREATE VIEW facts AS
SELECT doc_id, fiscal_year, phase, region, org_name, org_code, statement, direction,
       func_code, econ_code, fund, measure, measure_label, period, item, is_total,
       amount, unit, src_line, province
FROM lake.facts;
