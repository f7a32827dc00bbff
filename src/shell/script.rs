//! Splitting SQL scripts into statements, keeping the line each statement starts on so that
//! an error in a report script can name its file and line.

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement without its terminating `;`.
    pub text: String,
    /// 1-based line of the script where the statement's first token stands.
    pub line: usize,
}

/// Splits at `;` outside string literals, quoted identifiers and comments. Statements with
/// nothing but comments and white space are dropped.
pub fn split(sql: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start_line: Option<usize> = None;
    let mut line = 1;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                start_line.get_or_insert(line);
                current.push(c);
                // A doubled quote inside a literal is an escaped quote: the loop closes and
                // reopens the literal, which keeps the text intact.
                for d in chars.by_ref() {
                    current.push(d);
                    if d == '\n' {
                        line += 1;
                    }
                    if d == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        line += 1;
                        current.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if d == '\n' {
                        line += 1;
                        current.push('\n');
                    }
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                current.push(' ');
            }
            ';' => {
                push(&mut out, &mut current, &mut start_line);
            }
            '\n' => {
                line += 1;
                current.push(c);
            }
            _ => {
                if !c.is_whitespace() {
                    start_line.get_or_insert(line);
                }
                current.push(c);
            }
        }
    }
    push(&mut out, &mut current, &mut start_line);
    out
}

fn push(out: &mut Vec<Statement>, current: &mut String, start_line: &mut Option<usize>) {
    let text = current.trim();
    if let (false, Some(line)) = (text.is_empty(), *start_line) {
        out.push(Statement {
            text: text.to_string(),
            line,
        });
    }
    current.clear();
    *start_line = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_lines_and_ignores_quoted_semicolons() {
        let sql = "-- header; not a statement\nSELECT 1;\n\nSELECT 'a;b'\n  , \"x;y\" /* ; */ FROM t;\n-- trailing\n";
        let stmts = split(sql);
        assert_eq!(stmts.len(), 2);
        assert_eq!(stmts[0].text, "SELECT 1");
        assert_eq!(stmts[0].line, 2);
        assert_eq!(stmts[1].line, 4);
        assert!(stmts[1].text.contains("'a;b'"));
        assert!(stmts[1].text.contains("\"x;y\""));
    }

    #[test]
    fn escaped_quotes_and_no_final_semicolon() {
        let stmts = split("SELECT 'it''s; fine'\n");
        assert_eq!(stmts.len(), 1);
        assert_eq!(stmts[0].text, "SELECT 'it''s; fine'");
    }
}
