-- documents, narrative, targets, findings: the other lake tables, fiscal_year second.
-- documents: one row per ingested document version; `live` is false for a version replaced
-- by a newer document of the same organisation, year and phase (`superseded_by`), whose
-- facts are no longer in the lake.
CREATE VIEW documents AS
SELECT doc_id, fiscal_year, phase, region, org_name, org_code, path, title, units,
       tables_found, table_count, fact_count, finding_count, source_bytes, ingested_at,
       coalesce(live, true) AS live, superseded_by
FROM lake.documents;

CREATE VIEW narrative AS
SELECT doc_id, fiscal_year, phase, region, org_name, org_code, label, amount, as_printed,
       unit, context, src_line
FROM lake.narrative;

CREATE VIEW targets AS
SELECT doc_id, fiscal_year, phase, region, org_name, org_code, project, level1, level2,
       indicator, target, src_line
FROM lake.targets;

CREATE VIEW findings AS
SELECT doc_id, fiscal_year, phase, region, org_name, org_code, rule, severity, message,
       message_en, expected, actual, src_line, lines
FROM lake.findings;
