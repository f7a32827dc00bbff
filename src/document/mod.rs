//! Reading a disclosure file into text and the text into its parts: encodings and PDF
//! (`decode`), lines and headings (`text`), amounts (`number`), table grids with their
//! line numbers (`grid`), multi-row column headers (`header`) and money figures in the
//! prose (`prose`).
//!
//! Nothing here knows which published table a grid is: that is `crate::statements`.

pub mod grid;
pub mod header;
pub mod layout;
pub mod number;
pub mod prose;
pub mod text;

use std::path::Path;
use std::process::Command;

use crate::model::ParseError;

/// Decodes a document's bytes to text: UTF-8 (a BOM is dropped), else GB18030/GBK;
/// CRLF and lone CR become LF. A PDF is converted with `pdftotext -layout`.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String, ParseError> {
    if bytes.starts_with(b"%PDF") {
        return pdf_to_text(path, bytes);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::new(path, None, "empty document"));
    }
    if bytes.contains(&0) {
        return Err(binary(path));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
                Some(s) => s.into_owned(),
                None => return Err(binary(path)),
            }
        }
    };
    let text = normalise_newlines(&text);
    if looks_binary(&text) {
        return Err(binary(path));
    }
    if text.trim().is_empty() {
        return Err(ParseError::new(path, None, "empty document"));
    }
    Ok(text)
}

fn binary(path: &Path) -> ParseError {
    ParseError::new(path, None, "not a text document (binary content)")
}

/// CRLF and lone CR to LF.
pub fn normalise_newlines(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Many control characters (other than tab, newline, form feed) mean binary data that
/// happened to decode.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars() {
        total += 1;
        if c.is_control() && !matches!(c, '\t' | '\n' | '\u{c}') {
            control += 1;
        }
    }
    total > 0 && control * 20 > total
}

/// Runs `pdftotext -layout FILE -` (poppler-utils).
fn pdf_to_text(path: &Path, bytes: &[u8]) -> Result<String, ParseError> {
    // pdftotext reads a file; use the document itself when it is on disk, else a copy.
    let mut temp = None;
    let input = if path.is_file() {
        path.to_path_buf()
    } else {
        let p = std::env::temp_dir().join(format!("yusuan-{}.pdf", std::process::id()));
        std::fs::write(&p, bytes).map_err(|e| {
            ParseError::new(
                path,
                None,
                format!("cannot write a temporary copy of the PDF: {e}"),
            )
        })?;
        temp = Some(p.clone());
        p
    };
    let output = Command::new("pdftotext")
        .arg("-layout")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&input)
        .arg("-")
        .output();
    if let Some(p) = temp {
        let _ = std::fs::remove_file(p);
    }
    let output = match output {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ParseError::new(
                path,
                None,
                "PDF input needs pdftotext (poppler-utils): install it (apt-get install \
                 poppler-utils) or convert with `pdftotext -layout FILE` first",
            ));
        }
        Err(e) => {
            return Err(ParseError::new(
                path,
                None,
                format!("cannot run pdftotext: {e}"),
            ));
        }
    };
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        return Err(ParseError::new(
            path,
            None,
            format!("pdftotext failed: {}", err.trim()),
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    // Form feeds stay: they mark the pages of layout text.
    let text = normalise_newlines(&text);
    if text.trim().is_empty() {
        return Err(ParseError::new(
            path,
            None,
            "PDF has no text layer (scanned image?): empty document",
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_bom_and_crlf() {
        let p = Path::new("x.txt");
        let t = decode(p, "\u{feff}标题\r\n行\r\n".as_bytes()).unwrap();
        assert_eq!(t, "标题\n行\n");
    }

    #[test]
    fn decodes_gbk() {
        let p = Path::new("gbk.txt");
        let (bytes, _, _) = encoding_rs::GBK.encode("部门收支总表\t单位：元\n合计\t3,162,923.00\n");
        assert!(std::str::from_utf8(&bytes).is_err());
        let t = decode(p, &bytes).unwrap();
        assert!(t.starts_with("部门收支总表"));
        assert!(t.contains("3,162,923.00"));
    }

    #[test]
    fn empty_and_binary_are_errors() {
        let p = Path::new("e.txt");
        assert_eq!(decode(p, b"").unwrap_err().message, "empty document");
        assert_eq!(
            decode(p, b" \n\r\n\t ").unwrap_err().message,
            "empty document"
        );
        assert_eq!(
            decode(p, b"abc\0def").unwrap_err().message,
            "not a text document (binary content)"
        );
        assert_eq!(
            decode(p, &[0xff, 0xfe, 0xfd, 0x80, 0x81])
                .unwrap_err()
                .message,
            "not a text document (binary content)"
        );
        let controls: Vec<u8> = (1u8..9).cycle().take(200).collect();
        assert!(decode(p, &controls).is_err());
    }

    #[test]
    fn pdf_gives_clear_result() {
        let p = Path::new("/nonexistent/x.pdf");
        // Either pdftotext is missing (clear error) or it fails on this junk (error).
        let err = decode(p, b"%PDF-1.4 junk").unwrap_err();
        assert!(err.message.contains("pdftotext") || err.message.contains("PDF"));
    }
}
