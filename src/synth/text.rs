//! The generator's text path: one document per department and year in the seed's format
//! (`data/docs/wanyuan-shebaoju-2021-yusuan.txt`): a markdown-ish explanation with the
//! figures in 万元, then the published tables as tab-separated lines under their usual
//! titles — the 三公 statistics (万元), 部门收支总表, 部门支出总表, 一般公共预算基本支出预算表,
//! 一般公共预算项目支出预算表 and the 三公 table in 元 with the prior year. Defects are
//! printed as they would be in a real document, for the checks to find.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use crate::catalog::Classification;

use super::model::{self, Defect, Doc, name_of};
use super::{GenOptions, GenReport};

/// The 类 rows of the 部门收支总表, in printed order, with their codes.
const SUMMARY_CLASSES: [(&str, &str); 29] = [
    ("一", "201"),
    ("二", "202"),
    ("三", "203"),
    ("四", "204"),
    ("五", "205"),
    ("六", "206"),
    ("七", "207"),
    ("八", "208"),
    ("九", "209"),
    ("十", "210"),
    ("十一", "211"),
    ("十二", "212"),
    ("十三", "213"),
    ("十四", "214"),
    ("十五", "215"),
    ("十六", "216"),
    ("十七", "217"),
    ("十八", "219"),
    ("十九", "220"),
    ("二十", "221"),
    ("二十一", "222"),
    ("二十二", "224"),
    ("二十三", "227"),
    ("二十四", "229"),
    ("二十五", "230"),
    ("二十六", "231"),
    ("二十七", "232"),
    ("二十八", "233"),
    ("二十九", "234"),
];

/// Names of the 类 the catalog does not carry.
fn class_name(code: &str, year: i32) -> String {
    let fallback = match code {
        "202" => "外交支出",
        "203" => "国防支出",
        "209" => "社会保险基金支出",
        "211" => "节能环保支出",
        "213" => "农林水支出",
        "214" => "交通运输支出",
        "215" => "资源勘探工业信息等支出",
        "216" => "商业服务业等支出",
        "217" => "金融支出",
        "219" => "援助其他地区支出",
        "222" => "粮油物资储备支出",
        "224" => "灾害防治及应急管理支出",
        "227" => "预备费",
        "229" => "其他支出",
        "230" => "转移性支出",
        "231" => "债务还本支出",
        "232" => "债务付息支出",
        "233" => "债务发行费用支出",
        "234" => "国有资本经营预算支出",
        _ => "",
    };
    let name = name_of(Classification::Function, code, year);
    if name == code && !fallback.is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

/// `3,162,923.00`
pub fn yuan(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    format!("{}{out}.00", if v < 0 { "-" } else { "" })
}

/// 元 -> 万元 with two decimals (`9700` -> `0.97`); exact for multiples of 100 元.
pub fn wan(v: i64) -> String {
    format!("{}.{:02}", v / 10_000, (v % 10_000) / 100)
}

fn blank_or(v: i64) -> String {
    if v == 0 { String::new() } else { yuan(v) }
}

/// The text of one document.
pub fn render(doc: &Doc) -> String {
    let org = doc.org;
    let year = doc.year;
    let short = &org.short;
    let total = doc.total();
    let (basic, project) = (doc.basic(), doc.project());
    let mut s = String::new();
    let w = &mut s;

    let _ = writeln!(w, "\n# {}\n", org.name);
    let _ = writeln!(w, "## 关于 {year} 年部门预算编制的说明\n");
    let _ = writeln!(
        w,
        "按照预算管理有关规定，目前部门预算的编制实行综合预算制度，即全部收入和支出都反映在预算中。\n"
    );
    let _ = writeln!(w, "## **一、部门概况**\n");
    let _ = writeln!(
        w,
        "{}属{}人民政府工作部门，单位代码 {}。\n",
        org.name, org.region, org.code
    );
    let _ = writeln!(w, "## **二、收支预算总体情况**\n");
    let _ = writeln!(
        w,
        "{year} 年{}收入预算总额为 {} 万元，其中：当年财政拨款收入 {} 万元。相应安排支出预算 {} 万元，其中：基本支出 {} 万元，项目支出 {} 万元。\n",
        org.name,
        wan_round(total),
        wan_round(total),
        wan_round(total),
        wan_round(basic),
        wan_round(project)
    );

    // 三公 statistics, 万元.
    let three = doc.three;
    let reception = match doc.defect {
        Some(Defect::ThreePublicOff(d)) => three.reception + d,
        _ => three.reception,
    };
    let reception_printed = if doc.defect == Some(Defect::UnitMixup) {
        // Printed in 元 although the table says 万元.
        format!("{}", reception)
    } else {
        wan(reception)
    };
    let _ = writeln!(w, "## {year}年“三公”经费预算财政拨款情况统计表\n");
    let _ = writeln!(w, "单位：万元\n");
    let _ = writeln!(w, "项目\t本年预算数");
    let _ = writeln!(
        w,
        "合计\t{}",
        wan(three.abroad + reception + three.car_buy + three.car_run)
    );
    let _ = writeln!(w, "1. 因公出国（境）费用\t{}", wan(three.abroad));
    let _ = writeln!(w, "2. 公务接待费\t{reception_printed}");
    let _ = writeln!(w, "3. 公务用车费\t{}", wan(three.car_buy + three.car_run));
    let _ = writeln!(w, "其中：（1）公务用车运行 维护费\t{}", wan(three.car_run));
    let _ = writeln!(w, "（2）公务用车购置\t{}\n", wan(three.car_buy));

    // 部门收支总表.
    let by_class: std::collections::BTreeMap<String, i64> = doc.by_class().into_iter().collect();
    let _ = writeln!(w, "## 部门收支总表\n");
    let _ = writeln!(w, "单位名称：{short}\t\t单位：元\t");
    let _ = writeln!(w, "收入\t\t支出\t");
    let _ = writeln!(w, "项目\t{year}年预算数\t项目\t{year}年预算数");
    let income = [
        ("一、一般公共预算拨款收入", total),
        ("二、政府性基金预算拨款收入", 0),
        ("三、国有资本经营预算拨款收入", 0),
        ("四、事业收入", 0),
        ("五、事业单位经营收入", 0),
        ("六、其他收入", 0),
    ];
    for (i, (num, code)) in SUMMARY_CLASSES.iter().enumerate() {
        let (left, lv) = income.get(i).map(|(l, v)| (*l, *v)).unwrap_or(("", 0));
        let amount = by_class.get(*code).copied().unwrap_or(0);
        let _ = writeln!(
            w,
            "{left}\t{}\t{num}、{}\t{}",
            blank_or(lv),
            class_name(code, year),
            blank_or(amount)
        );
    }
    let _ = writeln!(
        w,
        "本年收入合计\t{}\t本年支出合计\t{}",
        yuan(total),
        yuan(total)
    );
    let _ = writeln!(
        w,
        "七、用事业基金弥补收支差额\t\t二十九、事业单位结余分配\t"
    );
    let _ = writeln!(w, "八、上年结转\t\t其中：转入事业基金\t");
    let _ = writeln!(w, "\t\t三十、结转下年\t");
    let _ = writeln!(
        w,
        "收入总计\t{}\t支出总计\t{}\n\n",
        yuan(total),
        yuan(total)
    );

    // 部门支出总表.
    let off = match doc.defect {
        Some(Defect::SubtotalOff(d)) => d,
        _ => 0,
    };
    let _ = writeln!(w, "## 部门支出总表\n");
    let _ = writeln!(w, "单位名称：{short}\t\t\t\t\t\t\t单位：元\t");
    let _ = writeln!(
        w,
        "项目\t\t\t\t合计\t基本支出\t项目支出\t上缴上级支出\t对附属单位补助支出"
    );
    let _ = writeln!(w, "科目编码\t\t\t单位名称（科目）\t\t\t\t\t");
    let _ = writeln!(w, "类\t款\t项\t\t单位代码\t\t\t\t");
    let _ = writeln!(
        w,
        "\t\t\t\t合计\t{}\t{}\t{}\t",
        yuan(total + off),
        yuan(basic),
        blank_or(project)
    );
    let _ = writeln!(
        w,
        "\t\t\t{}\t{short}\t{}\t{}\t{}\t",
        org.code,
        yuan(total),
        yuan(basic),
        blank_or(project)
    );
    for f in &doc.funcs {
        let _ = writeln!(
            w,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
            &f.code[..3],
            &f.code[3..5],
            &f.code[5..7],
            org.code,
            name_of(Classification::Function, &f.code, year),
            yuan(f.basic + f.project),
            blank_or(f.basic),
            blank_or(f.project)
        );
    }
    let _ = writeln!(w);

    // 一般公共预算基本支出预算表.
    let c = Classification::Economic;
    let _ = writeln!(w, "一般公共预算基本支出预算表\n");
    let _ = writeln!(w, "单位名称：{short}\t\t\t单位：元\t\t");
    let _ = writeln!(w, "经济分类科目\t\t基本支出\t\t\t");
    let _ = writeln!(w, "科目编码\t\t科目名称\t合计\t人员经费\t公用经费");
    let _ = writeln!(w, "类\t款\t\t\t\t");
    let _ = writeln!(
        w,
        "\t\t合计\t{}\t{}\t{}",
        yuan(basic),
        blank_or(doc.personnel()),
        blank_or(doc.public_use())
    );
    for group in doc.econ_classes() {
        let (class, p, u) = (group.code, group.personnel, group.public_use);
        let _ = writeln!(
            w,
            "{class}\t\t{}\t{}\t{}\t{}",
            name_of(c, class, year),
            yuan(p + u),
            blank_or(p),
            blank_or(u)
        );
        for x in group.lines {
            let _ = writeln!(
                w,
                "{class}\t{}\t{}\t{}\t{}\t{}",
                &x.code[3..5],
                name_of(c, &x.code, year),
                yuan(x.personnel + x.public_use),
                blank_or(x.personnel),
                blank_or(x.public_use)
            );
        }
    }
    let _ = writeln!(w);

    // 一般公共预算项目支出预算表.
    let _ = writeln!(w, "一般公共预算项目支出预算表\n");
    let _ = writeln!(w, "单位名称：{short}\t\t\t\t\t单位：元");
    let _ = writeln!(w, "科目编码\t\t\t单位代码\t单位名称（项目）\t金额");
    let _ = writeln!(w, "类\t款\t项\t\t\t");
    let _ = writeln!(w, "\t\t\t\t合计\t{}", yuan(project));
    let _ = writeln!(w, "\t\t\t{}\t{short}\t{}", org.code, yuan(project));
    let mut k = 0;
    while k < doc.projects.len() {
        let code = &doc.projects[k].func_code;
        let group: Vec<_> = doc.projects[k..]
            .iter()
            .take_while(|p| &p.func_code == code)
            .collect();
        let sum: i64 = group.iter().map(|p| p.amount).sum();
        let _ = writeln!(
            w,
            "\t\t\t\t{}\t{}",
            name_of(Classification::Function, code, year),
            yuan(sum)
        );
        for p in &group {
            let _ = writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}\t{}",
                &code[..3],
                &code[3..5],
                &code[5..7],
                org.code,
                p.name,
                yuan(p.amount)
            );
        }
        k += group.len();
    }
    let _ = writeln!(w);

    // 三公 in 元 with the prior year.
    let prior = doc.prior_three;
    let cur_total = three.abroad + reception + three.car_buy + three.car_run;
    let _ = writeln!(w, "“三公经费”情况统计表\n");
    let _ = writeln!(w, "填报单位：{short}\t\t\t\t\t\t\t\t\t\t单元：元");
    let _ = writeln!(
        w,
        "单位编码\t单位名称\t三公经费合计\t\t因公出国（境）费用\t\t公务接待费\t\t公务用车运行维护费\t\t公务用车购置\t"
    );
    let _ = writeln!(
        w,
        "\t\t上年预算数\t本年预算数\t上年预算数\t本年预算数\t上年预算数\t本年预算数\t上年预算数\t本年预算数\t上年预算数\t本年预算数"
    );
    for (code, name) in [("", "合计"), (org.code.as_str(), short.as_str())] {
        let _ = writeln!(
            w,
            "{code}\t{name}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            yuan(prior.total()),
            yuan(cur_total),
            blank_or(prior.abroad),
            blank_or(three.abroad),
            blank_or(prior.reception),
            blank_or(reception),
            blank_or(prior.car_run),
            blank_or(three.car_run),
            blank_or(prior.car_buy),
            blank_or(three.car_buy)
        );
    }
    let _ = writeln!(w);
    s
}

fn wan_round(v: i64) -> String {
    format!("{:.2}", v as f64 / 10_000.0)
}

/// Writes every document into `out/<region>/<org_code>-<year>.txt`.
pub fn write_documents(options: &GenOptions, out: &Path) -> std::io::Result<GenReport> {
    let started = Instant::now();
    let orgs = model::orgs(options);
    let mut report = GenReport::default();
    for org in &orgs {
        let dir = out.join(&org.region);
        std::fs::create_dir_all(&dir)?;
        for year in options.years.clone() {
            let doc = model::document(options, org, year);
            let text = render(&doc);
            let path = dir.join(format!("{}-{}-{year}-yusuan.txt", org.code, org.name));
            let mut f = std::fs::File::create(&path)?;
            f.write_all(text.as_bytes())?;
            report.documents += 1;
            report.files += 1;
            report.bytes += text.len() as u64;
            report.defects += u64::from(doc.defect.is_some());
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_the_seed() {
        assert_eq!(yuan(3_162_923), "3,162,923.00");
        assert_eq!(yuan(100), "100.00");
        assert_eq!(wan(9_700), "0.97");
        assert_eq!(wan(1_234_500), "123.45");
    }
}
