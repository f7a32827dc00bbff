//! Reading a disclosure file into text: encodings and PDF.
use std::path::Path;

use crate::model::ParseError;

/// Decodes a document's bytes to text.
pub fn decode(path: &Path, bytes: &[u8]) -> Result<String, ParseError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ParseError::new(path, None, "not UTF-8"))
}
