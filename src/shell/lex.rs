//! A forgiving SQL lexer for the shell: highlighting, completion and the parameter scan.
//!
//! Unlike sqlparser's tokenizer it never fails: an unterminated string or comment is one
//! token to the end of the input, which is what a half-typed line needs. Every token keeps
//! its byte range in the input, so callers can slice or colour the original text.

use datafusion::sql::sqlparser::keywords::ALL_KEYWORDS;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or keyword (letters, digits, `_`, CJK).
    Word,
    /// `"quoted identifier"`.
    QuotedIdent,
    /// `'string literal'` (possibly unterminated).
    String,
    /// `123`, `1.5`, `2e3`.
    Number,
    /// `-- …` or `/* … */`.
    Comment,
    /// `$name` or `$1`.
    Placeholder,
    /// Any other single character: operators, commas, parentheses, `;`, `.`.
    Punct,
    /// White space.
    Space,
}

/// One token: its kind and byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text in `input`.
    pub fn text<'a>(&self, input: &'a str) -> &'a str {
        &input[self.start..self.end]
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `sql` into tokens covering all of it.
pub fn tokens(sql: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let kind = match c {
            c if c.is_whitespace() => {
                while chars.peek().is_some_and(|(_, d)| d.is_whitespace()) {
                    chars.next();
                }
                Kind::Space
            }
            '\'' | '"' => {
                // A doubled quote is an escaped quote: closing and reopening gives the same.
                loop {
                    match chars.next() {
                        Some((_, d)) if d == c => {
                            if chars.peek().is_some_and(|(_, e)| *e == c) {
                                chars.next();
                                continue;
                            }
                            break;
                        }
                        Some(_) => {}
                        None => break,
                    }
                }
                if c == '\'' {
                    Kind::String
                } else {
                    Kind::QuotedIdent
                }
            }
            '-' if chars.peek().is_some_and(|(_, d)| *d == '-') => {
                while chars.peek().is_some_and(|(_, d)| *d != '\n') {
                    chars.next();
                }
                Kind::Comment
            }
            '/' if chars.peek().is_some_and(|(_, d)| *d == '*') => {
                chars.next();
                let mut prev = ' ';
                for (_, d) in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                Kind::Comment
            }
            '$' if chars.peek().is_some_and(|(_, d)| is_word_char(*d)) => {
                while chars.peek().is_some_and(|(_, d)| is_word_char(*d)) {
                    chars.next();
                }
                Kind::Placeholder
            }
            c if c.is_ascii_digit()
                || (c == '.' && chars.peek().is_some_and(|(_, d)| d.is_ascii_digit())) =>
            {
                let mut prev = c;
                while let Some(&(_, d)) = chars.peek() {
                    let exponent_sign = (d == '+' || d == '-') && (prev == 'e' || prev == 'E');
                    if d.is_ascii_digit() || d == '.' || d == 'e' || d == 'E' || exponent_sign {
                        prev = d;
                        chars.next();
                    } else {
                        break;
                    }
                }
                Kind::Number
            }
            c if is_word_char(c) => {
                while chars.peek().is_some_and(|(_, d)| is_word_char(*d)) {
                    chars.next();
                }
                Kind::Word
            }
            _ => Kind::Punct,
        };
        let end = chars.peek().map_or(sql.len(), |(i, _)| *i);
        out.push(Token { kind, start, end });
    }
    out
}

/// Whether `word` is an SQL keyword (case-insensitive).
pub fn is_keyword(word: &str) -> bool {
    let upper = word.to_ascii_uppercase();
    ALL_KEYWORDS.binary_search(&upper.as_str()).is_ok()
}

/// The named parameters (`$year`) used in `sql`, with the byte offset of each use.
pub fn placeholders(sql: &str) -> Vec<(String, usize)> {
    tokens(sql)
        .into_iter()
        .filter(|t| t.kind == Kind::Placeholder)
        .map(|t| (sql[t.start + 1..t.end].to_string(), t.start))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<(Kind, &str)> {
        tokens(sql)
            .into_iter()
            .filter(|t| t.kind != Kind::Space)
            .map(|t| (t.kind, t.text(sql)))
            .collect()
    }

    #[test]
    fn covers_the_input_and_keeps_chinese_words_whole() {
        let sql = "SELECT 名称, 'it''s' -- note\nFROM t WHERE x = $year AND y > 1.5e3 /* c";
        let toks = tokens(sql);
        assert_eq!(toks.first().map(|t| t.start), Some(0));
        assert_eq!(toks.last().map(|t| t.end), Some(sql.len()));
        let k = kinds(sql);
        assert!(k.contains(&(Kind::Word, "名称")));
        assert!(k.contains(&(Kind::String, "'it''s'")));
        assert!(k.contains(&(Kind::Comment, "-- note")));
        assert!(k.contains(&(Kind::Placeholder, "$year")));
        assert!(k.contains(&(Kind::Number, "1.5e3")));
        assert_eq!(k.last(), Some(&(Kind::Comment, "/* c")));
    }

    #[test]
    fn unterminated_string_runs_to_the_end() {
        assert_eq!(
            kinds("SELECT 'abc"),
            vec![(Kind::Word, "SELECT"), (Kind::String, "'abc")]
        );
    }

    #[test]
    fn placeholders_are_found_outside_strings_and_comments() {
        let sql = "SELECT '$no' -- $no\n, $org FROM t WHERE y = $year";
        let names: Vec<String> = placeholders(sql).into_iter().map(|p| p.0).collect();
        assert_eq!(names, vec!["org", "year"]);
    }

    #[test]
    fn keywords() {
        assert!(is_keyword("select"));
        assert!(is_keyword("FROM"));
        assert!(!is_keyword("expenditure"));
    }
}
