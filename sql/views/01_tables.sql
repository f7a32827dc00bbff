-- documents, narrative, targets, findings: the other lake tables, fiscal_year second.
-- documents: one row per ingested document version; `live` is false for a version replaced
-- by a newer document of the same organisation, year and phase (`superseded_by`), whose
-- facts are no longer in the lake. Then its coverage (what the parser read of it: status
-- complete | partial with the reasons, standard tables expected and missing, the numbers
-- of its tables stored / skipped / unread) and where each metadata field came from;
-- these are NULL for documents ingested before coverage was measured. Last the place
-- (province, city, county, 6-digit admin_code) from the division catalog.
CREATE VIEW documents AS
SELECT doc_id, fiscal_year, phase, region, org_name, org_code, path, title, units,
       tables_found, table_count, fact_count, finding_count, source_bytes, ingested_at,
       coalesce(live, true) AS live, superseded_by,
       status, status_reasons, content, tables_expected, tables_missing,
       tables_unrecognised, table_regions, numbers_in_tables, numbers_stored,
       numbers_skipped, numbers_unread, skipped_reasons, unread_lines,
       fiscal_year_source, phase_source, org_name_source, region_source,
       province, city, county, admin_code
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
