//! The data dictionary: what every column of every table and view means, in Chinese and
//! English, with its unit and, for codes, the classification it uses.
//!
//! This is the one place column meanings are written down. The export puts them beside the
//! files (`_dictionary.csv`, `_dictionary.json`) and into each Parquet file's key-value
//! metadata (`yusuan.columns`). A column is looked up for its table first (the `total` of
//! `expenditure` is not the `total` of `basic_by_econ`), then for any table.

/// The meaning of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnDoc {
    /// Meaning in Chinese.
    pub zh: &'static str,
    /// Meaning in English.
    pub en: &'static str,
    /// Unit of the values (`元` for amounts), or empty.
    pub unit: &'static str,
    /// For codes: the classification they use, or empty.
    pub classification: &'static str,
}

/// One row of the table below: `table` empty means any table.
struct Entry {
    table: &'static str,
    column: &'static str,
    doc: ColumnDoc,
}

const FUNC: &str = "支出功能分类科目 (government expenditure function classification, 类/款/项)";
const ECON: &str =
    "部门预算支出经济分类科目 (departmental expenditure economic classification, 类/款)";

const fn e(
    table: &'static str,
    column: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: &'static str,
    classification: &'static str,
) -> Entry {
    Entry {
        table,
        column,
        doc: ColumnDoc {
            zh,
            en,
            unit,
            classification,
        },
    }
}

/// Every column yusuan publishes. Table-specific rows first for readability; the lookup
/// does not depend on the order.
const COLUMNS: &[Entry] = &[
    // Document identity, shared by every per-document table and view.
    e(
        "",
        "doc_id",
        "文档编号：源文件字节的 SHA-256 前 16 位十六进制",
        "document id: first 16 hex digits of the SHA-256 of the source file's bytes",
        "",
        "",
    ),
    e(
        "",
        "fiscal_year",
        "预算年度",
        "fiscal year the document covers",
        "",
        "",
    ),
    e(
        "",
        "phase",
        "阶段：budget 为预算，final 为决算",
        "phase: budget (预算) or final (决算)",
        "",
        "",
    ),
    e(
        "",
        "region",
        "发布信息的政府（地区），如 万源市",
        "issuing government (region) as printed, e.g. 万源市",
        "",
        "",
    ),
    e(
        "",
        "org_name",
        "部门或单位名称",
        "department or unit name",
        "",
        "",
    ),
    e(
        "",
        "org_code",
        "单位代码（文件中印出时）",
        "unit code (单位代码) where printed",
        "",
        "",
    ),
    // facts
    e(
        "",
        "statement",
        "来源表：公开的哪张预算表（summary、expenditure_by_func 等）",
        "which published table the figure comes from (summary, expenditure_by_func, …)",
        "",
        "",
    ),
    e(
        "",
        "direction",
        "收入或支出：income / expenditure",
        "income or expenditure",
        "",
        "",
    ),
    e(
        "",
        "func_code",
        "支出功能分类科目编码（3/5/7 位：类/款/项）",
        "expenditure function classification code (3/5/7 digits: 类/款/项)",
        "",
        FUNC,
    ),
    e(
        "",
        "econ_code",
        "支出经济分类科目编码（3/5 位：类/款）",
        "economic classification code (3/5 digits: 类/款)",
        "",
        ECON,
    ),
    e(
        "",
        "fund",
        "资金来源（general_budget 一般公共预算、gov_fund 政府性基金等），列或行标明时",
        "source of funds where the column or row says it (general_budget, gov_fund, …)",
        "",
        "",
    ),
    e(
        "",
        "measure",
        "度量：该列表示什么（total 合计、basic 基本支出、project 项目支出等）",
        "what the column measures (total, basic, project, personnel, public_use, amount, …)",
        "",
        "",
    ),
    e(
        "",
        "measure_label",
        "原表列标题，如 合计、基本支出",
        "column label as printed, e.g. 合计, 基本支出",
        "",
        "",
    ),
    e(
        "",
        "period",
        "所属年度：current 本年，prior 上年（如 上年预算数）",
        "period: current year, or prior for last year's figures printed in the document",
        "",
        "",
    ),
    e(
        "",
        "item",
        "原表行标题（如 公务接待费、项目名称）",
        "row label as printed (e.g. 公务接待费, a project name)",
        "",
        "",
    ),
    e(
        "",
        "is_total",
        "是否为合计/小计行（类、款小计，合计，总计）：与明细相加会重复",
        "the row is a subtotal or total of other rows (类/款 subtotal, 合计, 总计): never add it to them",
        "",
        "",
    ),
    e(
        "",
        "amount",
        "金额（精确到分）",
        "amount, exact to the fen",
        "元",
        "",
    ),
    e(
        "",
        "unit",
        "原表印出的单位：元 或 万元（金额已统一换算为元）",
        "unit the figure was printed in (元 or 万元); amounts are always converted to 元",
        "",
        "",
    ),
    e(
        "",
        "src_line",
        "源文件中的行号（从 1 起）",
        "1-based line of the source document",
        "",
        "",
    ),
    // facts_wide
    e(
        "facts_wide",
        "func_class_code",
        "功能分类“类”级编码（3 位）",
        "function classification 类 (class) code, 3 digits",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "func_class_name",
        "功能分类“类”级名称（按该年度分类目录）",
        "function classification 类 (class) name, from that year's catalog",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "func_kuan_code",
        "功能分类“款”级编码（5 位）",
        "function classification 款 (section) code, 5 digits",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "func_kuan_name",
        "功能分类“款”级名称（按该年度分类目录）",
        "function classification 款 (section) name, from that year's catalog",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "func_xiang_code",
        "功能分类“项”级编码（7 位）",
        "function classification 项 (item) code, 7 digits",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "func_xiang_name",
        "功能分类“项”级名称（按该年度分类目录）",
        "function classification 项 (item) name, from that year's catalog",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "func_name",
        "功能分类科目名称（func_code 本级）",
        "name of func_code itself, from that year's catalog",
        "",
        FUNC,
    ),
    e(
        "facts_wide",
        "econ_class_code",
        "经济分类“类”级编码（3 位）",
        "economic classification 类 (class) code, 3 digits",
        "",
        ECON,
    ),
    e(
        "facts_wide",
        "econ_class_name",
        "经济分类“类”级名称（按该年度分类目录）",
        "economic classification 类 (class) name, from that year's catalog",
        "",
        ECON,
    ),
    e(
        "facts_wide",
        "econ_kuan_code",
        "经济分类“款”级编码（5 位）",
        "economic classification 款 (section) code, 5 digits",
        "",
        ECON,
    ),
    e(
        "facts_wide",
        "econ_kuan_name",
        "经济分类“款”级名称（按该年度分类目录）",
        "economic classification 款 (section) name, from that year's catalog",
        "",
        ECON,
    ),
    e(
        "facts_wide",
        "econ_name",
        "经济分类科目名称（econ_code 本级）",
        "name of econ_code itself, from that year's catalog",
        "",
        ECON,
    ),
    e(
        "facts_wide",
        "has_finding",
        "是否有核查发现指向该数所在的行（--include-findings）",
        "whether any finding of the checks points at this figure's source line (--include-findings)",
        "",
        "",
    ),
    e(
        "facts_wide",
        "finding_count",
        "指向该行的核查发现条数",
        "number of findings pointing at this figure's source line",
        "",
        "",
    ),
    e(
        "facts_wide",
        "finding_severity",
        "指向该行的最严重核查发现级别（error/warning/info）",
        "most severe finding pointing at this line (error, warning, info)",
        "",
        "",
    ),
    e(
        "facts_wide",
        "finding_rules",
        "指向该行的核查规则（逗号分隔）",
        "rules of the findings pointing at this line, comma-separated",
        "",
        "",
    ),
    // documents
    e(
        "documents",
        "path",
        "导入时的源文件路径",
        "path of the source file as ingested",
        "",
        "",
    ),
    e(
        "documents",
        "title",
        "文档标题（如印出）",
        "document title as printed",
        "",
        "",
    ),
    e(
        "documents",
        "units",
        "文档涵盖的单位（本部及下属单位），以“；”分隔",
        "units the document covers (the department and subordinate units), separated by ；",
        "",
        "",
    ),
    e(
        "documents",
        "tables_found",
        "识别出的公开表（statement 编号，逗号分隔）",
        "published tables recognised (statement ids, comma-separated)",
        "",
        "",
    ),
    e(
        "documents",
        "table_count",
        "识别出的表格数",
        "number of tables recognised",
        "",
        "",
    ),
    e(
        "documents",
        "fact_count",
        "从文档读出的金额条数（facts 行数）",
        "number of figures read from the document (rows of facts)",
        "",
        "",
    ),
    e(
        "documents",
        "finding_count",
        "核查发现条数",
        "number of findings of the checks",
        "",
        "",
    ),
    e(
        "documents",
        "source_bytes",
        "源文件大小",
        "size of the source file",
        "字节 (bytes)",
        "",
    ),
    e(
        "documents",
        "ingested_at",
        "导入时间（UTC）",
        "when the document was ingested (UTC)",
        "",
        "",
    ),
    e(
        "documents",
        "live",
        "是否为现行版本：同一单位、年度、阶段的新文档导入后旧版本为 false，其金额已不在库中",
        "whether this is the current version: false once a newer document of the same unit, year and phase replaced it (its figures are no longer in the lake)",
        "",
        "",
    ),
    e(
        "documents",
        "superseded_by",
        "取代该版本的新文档编号（doc_id）",
        "doc_id of the newer document that replaced this version",
        "",
        "",
    ),
    e(
        "documents",
        "status",
        "覆盖状态：complete（应有的标准表均已识别，表内每个数字均已入库或有理由跳过）或 partial（见 status_reasons）",
        "coverage status: complete (every standard table the document should carry was recognised and every number in its tables was stored or skipped for a reason) or partial (see status_reasons)",
        "",
        "",
    ),
    e(
        "documents",
        "status_reasons",
        "状态为 partial 的原因，每行一个",
        "why the status is partial, one reason per line",
        "",
        "",
    ),
    e(
        "documents",
        "content",
        "文档内容：tables（含表格）或 narrative（仅文字说明，如单独公开的情况说明）",
        "what the document holds: tables, or narrative (prose only, such as a 情况说明 published apart from its tables)",
        "",
        "",
    ),
    e(
        "documents",
        "tables_expected",
        "此类文档应含的标准表（statement 编号，逗号分隔）",
        "standard tables a document of this kind carries (statement ids, comma-separated)",
        "",
        "",
    ),
    e(
        "documents",
        "tables_missing",
        "应含而未找到的标准表（statement 编号，逗号分隔）",
        "standard tables expected but not found (statement ids, comma-separated)",
        "",
        "",
    ),
    e(
        "documents",
        "tables_unrecognised",
        "印有数字但未读入的表格区域（行号与标题，每行一个；含政府采购等非标准表）",
        "table regions that print numbers but were not read (lines and title, one per line; includes non-standard tables such as 政府采购)",
        "",
        "",
    ),
    e(
        "documents",
        "table_regions",
        "每个表格区域：statement、起止行、标题、单位及其数字的去向（每行一个）",
        "each table region: statement, first and last line, title, unit and what became of its numbers (one per line)",
        "",
        "",
    ),
    e(
        "documents",
        "numbers_in_tables",
        "已识别表格中印出的数字个数",
        "numbers printed inside recognised tables",
        "",
        "",
    ),
    e(
        "documents",
        "numbers_stored",
        "其中作为金额入库（facts）的个数",
        "of those, stored as facts",
        "",
        "",
    ),
    e(
        "documents",
        "numbers_skipped",
        "其中有理由跳过的个数（行次、栏次、编码、页码、比率、年份等）",
        "of those, skipped for a stated reason (row and column numbers, codes, page numbers, ratios, years…)",
        "",
        "",
    ),
    e(
        "documents",
        "numbers_unread",
        "其中未能读取的个数（解析遗漏）",
        "of those, not read (a misread of the parser)",
        "",
        "",
    ),
    e(
        "documents",
        "skipped_reasons",
        "跳过的数字按原因计数，如 line_number 12, code 40",
        "skipped numbers counted by reason, e.g. line_number 12, code 40",
        "",
        "",
    ),
    e(
        "documents",
        "unread_lines",
        "未读数字所在的源文件行号（逗号分隔）",
        "source lines of the unread numbers, comma-separated",
        "",
        "",
    ),
    e(
        "documents",
        "fiscal_year_source",
        "年度的来源：flag、title、cover、table_label、prose、file_name",
        "where the fiscal year came from: flag, title, cover, table_label, prose, file_name",
        "",
        "",
    ),
    e(
        "documents",
        "phase_source",
        "预算/决算阶段的来源（同上）",
        "where the phase came from (as above)",
        "",
        "",
    ),
    e(
        "documents",
        "org_name_source",
        "单位名称的来源（同上；missing 表示未找到，以文件名代替）",
        "where the organisation came from (as above; missing: not found, the file name stands in)",
        "",
        "",
    ),
    e(
        "documents",
        "region_source",
        "地区的来源（derived 表示由单位名称推出）",
        "where the region came from (derived: from the organisation's name)",
        "",
        "",
    ),
    e(
        "",
        "province",
        "省级行政区（由行政区划目录从发布单位名称和文件开头确定），如 广东省；直辖市为 北京市",
        "province-level division, resolved from the issuer's name and the document's first lines with the division catalog, e.g. 广东省 (a municipality: 北京市)",
        "",
        "",
    ),
    e(
        "documents",
        "city",
        "地级市；直辖市为其本身，如 深圳市、上海市",
        "prefecture-level city; a municipality is its own city, e.g. 深圳市, 上海市",
        "",
        "",
    ),
    e(
        "documents",
        "county",
        "县级行政区（县、区、县级市），发布单位名称印出时，如 普陀区",
        "county-level division (县, 区, county-level city) where the issuer names one, e.g. 普陀区",
        "",
        "",
    ),
    e(
        "documents",
        "admin_code",
        "所确定的最具体行政区划的 6 位代码，如 440300",
        "6-digit division code of the most specific division resolved, e.g. 440300",
        "",
        "",
    ),
    // narrative
    e(
        "narrative",
        "label",
        "文字说明中金额所指的事项（如 公务接待费、收入预算总额）",
        "what the figure in the prose is about (e.g. 公务接待费, 收入预算总额)",
        "",
        "",
    ),
    e(
        "narrative",
        "amount",
        "文字说明中的金额，已换算为元",
        "amount stated in the prose, converted to 元",
        "元",
        "",
    ),
    e(
        "narrative",
        "as_printed",
        "原文写法，如 “9700 万元”",
        "the figure as printed, e.g. “9700 万元”",
        "",
        "",
    ),
    e(
        "narrative",
        "unit",
        "原文使用的单位：元 或 万元",
        "unit the prose used: 元 or 万元",
        "",
        "",
    ),
    e(
        "narrative",
        "context",
        "金额所在的句子",
        "the sentence the figure stands in",
        "",
        "",
    ),
    // targets
    e(
        "targets",
        "project",
        "项目名称（部门整体绩效目标时为部门名称）",
        "project name, or the department's name for its overall performance targets",
        "",
        "",
    ),
    e(
        "targets",
        "level1",
        "一级指标（如 产出指标）",
        "level-1 indicator (一级指标, e.g. 产出指标)",
        "",
        "",
    ),
    e(
        "targets",
        "level2",
        "二级指标（如 数量指标）",
        "level-2 indicator (二级指标, e.g. 数量指标)",
        "",
        "",
    ),
    e(
        "targets",
        "indicator",
        "三级指标：指标本身",
        "level-3 indicator (三级指标): the indicator itself",
        "",
        "",
    ),
    e(
        "targets",
        "target",
        "指标值（原文），如 ≥98%",
        "target value as printed, e.g. ≥98%",
        "",
        "",
    ),
    // findings
    e(
        "findings",
        "rule",
        "核查规则编号（如 subtotal_mismatch）",
        "id of the check rule (e.g. subtotal_mismatch)",
        "",
        "",
    ),
    e(
        "findings",
        "severity",
        "严重程度：error / warning / info",
        "severity: error, warning or info",
        "",
        "",
    ),
    e(
        "findings",
        "message",
        "核查发现说明（中文）",
        "what the check found, in Chinese",
        "",
        "",
    ),
    e(
        "findings",
        "message_en",
        "核查发现说明（英文）",
        "what the check found, in English",
        "",
        "",
    ),
    e(
        "findings",
        "expected",
        "按规则应得的金额",
        "amount the rule expected",
        "元",
        "",
    ),
    e(
        "findings",
        "actual",
        "文件中印出的金额",
        "amount printed in the document",
        "元",
        "",
    ),
    e(
        "findings",
        "src_line",
        "发现所指的主要行号",
        "main source line the finding points at",
        "",
        "",
    ),
    e(
        "findings",
        "lines",
        "涉及的全部行号（逗号分隔，主要行在前）",
        "all source lines involved, comma-separated, the main one first",
        "",
        "",
    ),
    // expenditure view
    e(
        "expenditure",
        "total",
        "部门支出总表：该功能科目的支出合计",
        "部门支出总表: total expenditure of the function code",
        "元",
        "",
    ),
    e(
        "expenditure",
        "basic",
        "部门支出总表：基本支出",
        "部门支出总表: basic expenditure (基本支出)",
        "元",
        "",
    ),
    e(
        "expenditure",
        "project",
        "部门支出总表：项目支出",
        "部门支出总表: project expenditure (项目支出)",
        "元",
        "",
    ),
    // basic_by_econ view
    e(
        "basic_by_econ",
        "total",
        "基本支出表：该经济科目的基本支出合计",
        "基本支出表: total basic expenditure of the economic code",
        "元",
        "",
    ),
    e(
        "basic_by_econ",
        "personnel",
        "基本支出表：人员经费",
        "基本支出表: personnel expenses (人员经费)",
        "元",
        "",
    ),
    e(
        "basic_by_econ",
        "public_use",
        "基本支出表：公用经费",
        "基本支出表: office and operating expenses (公用经费)",
        "元",
        "",
    ),
    // projects view
    e("projects", "project", "项目名称", "project name", "", ""),
    e(
        "projects",
        "amount",
        "项目支出金额",
        "project expenditure amount",
        "元",
        "",
    ),
    // three_public view
    e(
        "three_public",
        "item",
        "“三公”经费项目：因公出国（境）费、公务接待费、公务用车购置费、公务用车运行维护费",
        "“three public” item: official travel abroad, official receptions, official vehicle purchase, official vehicle operation",
        "",
        "",
    ),
    e(
        "three_public",
        "budget",
        "本年预算数",
        "budget of the current year",
        "元",
        "",
    ),
    e(
        "three_public",
        "prior_budget",
        "上年预算数（文件中印出时）",
        "budget of the previous year where the document prints it",
        "元",
        "",
    ),
    // func_class / econ_class
    e(
        "func_class",
        "code",
        "支出功能分类科目编码",
        "function classification code",
        "",
        FUNC,
    ),
    e(
        "func_class",
        "name",
        "科目名称",
        "name of the code",
        "",
        FUNC,
    ),
    e(
        "func_class",
        "parent",
        "上级科目编码",
        "parent code",
        "",
        FUNC,
    ),
    e(
        "econ_class",
        "code",
        "支出经济分类科目编码",
        "economic classification code",
        "",
        ECON,
    ),
    e(
        "econ_class",
        "name",
        "科目名称",
        "name of the code",
        "",
        ECON,
    ),
    e(
        "econ_class",
        "parent",
        "上级科目编码",
        "parent code",
        "",
        ECON,
    ),
    e(
        "",
        "level",
        "科目级次：1 类，2 款，3 项",
        "level of the code: 1 类 (class), 2 款 (section), 3 项 (item)",
        "",
        "",
    ),
    e(
        "",
        "from_year",
        "名称适用的起始年度（空为不限）",
        "first year the name applies (empty: open)",
        "",
        "",
    ),
    e(
        "",
        "to_year",
        "名称适用的截止年度（空为不限）",
        "last year the name applies (empty: open)",
        "",
        "",
    ),
    e(
        "",
        "source",
        "名称来源：reference 随附目录，document 文档中出现",
        "where the name comes from: the shipped reference catalog, or a document",
        "",
        "",
    ),
    e(
        "",
        "confidence",
        "可信度（observed、template、corroborated、unverified）或文档编号",
        "confidence of a reference row (observed, template, corroborated, unverified), or the doc_id",
        "",
        "",
    ),
];

/// The meaning of a column of `table` (`lake.facts` is looked up as `facts`).
pub fn column_doc(table: &str, column: &str) -> Option<&'static ColumnDoc> {
    let table = table.strip_prefix("lake.").unwrap_or(table);
    COLUMNS
        .iter()
        .find(|e| e.table == table && e.column == column)
        .or_else(|| {
            COLUMNS
                .iter()
                .find(|e| e.table.is_empty() && e.column == column)
        })
        .map(|e| &e.doc)
}

/// What a column of an export query means when the dictionary does not know its name.
pub const QUERY_COLUMN: ColumnDoc = ColumnDoc {
    zh: "导出查询计算的列（查询见 yusuan.query）",
    en: "column computed by the export query (see yusuan.query)",
    unit: "",
    classification: "",
};

/// What each exportable table is, in Chinese and English.
const TABLES: &[(&str, &str, &str)] = &[
    (
        "facts",
        "金额明细：每行一个公开的金额，覆盖所有文档的所有表",
        "one published amount per row, every table of every document",
    ),
    (
        "facts_wide",
        "金额明细（宽表）：facts 加上各级分类名称，BI 工具无需连接即可下钻",
        "facts with the classification names at every level, for drill-down without joins",
    ),
    (
        "documents",
        "已导入的文档，每个一行",
        "one row per ingested document",
    ),
    (
        "narrative",
        "文字说明中出现的金额",
        "money figures stated in the prose",
    ),
    (
        "targets",
        "绩效目标指标",
        "performance targets (绩效目标) indicators",
    ),
    (
        "findings",
        "核查发现：表内、表间及与文字说明不一致之处",
        "findings of the checks: figures that do not reconcile",
    ),
    (
        "expenditure",
        "部门支出总表明细（本年，末级功能科目）",
        "部门支出总表 leaves of the current year, by function code",
    ),
    (
        "basic_by_econ",
        "基本支出表明细（本年，经济分类款级）",
        "基本支出 table leaves of the current year, by economic code",
    ),
    (
        "projects",
        "项目支出，每个项目一行",
        "project expenditure, one row per project",
    ),
    (
        "three_public",
        "“三公”经费，每个项目一行",
        "“three public” expenses, one row per item",
    ),
    (
        "func_class",
        "支出功能分类科目目录（按年度）",
        "function classification catalog, by year",
    ),
    (
        "econ_class",
        "部门预算支出经济分类科目目录（按年度）",
        "economic classification catalog, by year",
    ),
];

/// The description of a table (Chinese, English), if it is one of yusuan's.
pub fn table_doc(table: &str) -> Option<(&'static str, &'static str)> {
    let table = table.strip_prefix("lake.").unwrap_or(table);
    TABLES
        .iter()
        .find(|(name, _, _)| *name == table)
        .map(|(_, zh, en)| (*zh, *en))
}

/// Quotes a JSON string.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Quotes a CSV field (RFC 4180) when it needs it.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_specific_meanings_win() {
        let exp = column_doc("expenditure", "total").unwrap();
        let econ = column_doc("basic_by_econ", "total").unwrap();
        assert_ne!(exp.zh, econ.zh);
        assert_eq!(column_doc("lake.facts", "amount").unwrap().unit, "元");
        assert!(
            column_doc("facts", "func_code")
                .unwrap()
                .classification
                .contains("功能")
        );
        assert!(column_doc("facts", "no_such_column").is_none());
    }

    #[test]
    fn every_entry_has_both_meanings() {
        for e in COLUMNS {
            assert!(
                !e.doc.zh.trim().is_empty() && !e.doc.en.trim().is_empty(),
                "{}",
                e.column
            );
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(json_string("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"明"), "\"说\"\"明\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
