//! A small streaming CSV reader (RFC 4180: quoted fields, doubled quotes, quoted line
//! breaks, CRLF) that reports malformed input by line and column.
//!
//! Written here rather than pulled in because claim files are large (tens of millions of
//! rows) and every error must point at the line and column a user can open in an editor.

use std::io::BufRead;

/// What is wrong with the input, and where (1-based line and column; the column counts
/// characters).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}, column {column}: {message}")]
pub struct CsvError {
    /// Line where the problem is.
    pub line: u64,
    /// Column where the problem is.
    pub column: u64,
    /// What is wrong.
    pub message: String,
}

/// One record: its fields, and the line it starts on.
#[derive(Debug, Default)]
pub struct Record {
    buf: String,
    ends: Vec<usize>,
    /// Line the record starts on.
    pub line: u64,
}

impl Record {
    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    /// Whether the record has no fields.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    /// Field `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.buf.get(start..end)
    }
}

/// Streaming reader over any buffered input.
pub struct CsvReader<R> {
    input: R,
    line: Vec<u8>,
    line_no: u64,
    bytes: u64,
}

impl<R: BufRead> CsvReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        CsvReader {
            input,
            line: Vec::new(),
            line_no: 0,
            bytes: 0,
        }
    }

    /// Bytes consumed so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn read_line(&mut self) -> Result<bool, CsvError> {
        self.line.clear();
        let n = self
            .input
            .read_until(b'\n', &mut self.line)
            .map_err(|e| CsvError {
                line: self.line_no + 1,
                column: 1,
                message: format!("cannot read: {e}"),
            })?;
        if n == 0 {
            return Ok(false);
        }
        self.bytes += n as u64;
        self.line_no += 1;
        Ok(true)
    }

    /// Reads the next non-blank record into `rec`; `false` at end of input.
    pub fn next_record(&mut self, rec: &mut Record) -> Result<bool, CsvError> {
        loop {
            if !self.read_line()? {
                return Ok(false);
            }
            let trimmed = trim_eol(&self.line);
            if !trimmed.iter().all(|b| b.is_ascii_whitespace()) {
                break;
            }
        }
        rec.buf.clear();
        rec.ends.clear();
        rec.line = self.line_no;
        // Fast path: a line without quotes is split at its commas, once valid UTF-8.
        let text = trim_eol(&self.line);
        if !text.contains(&b'"')
            && let Ok(text) = std::str::from_utf8(text)
        {
            for field in text.split(',') {
                rec.buf.push_str(field);
                rec.ends.push(rec.buf.len());
            }
            return Ok(true);
        }
        let mut field: Vec<u8> = Vec::new();
        let mut pos = 0usize;
        let mut in_quotes = false;
        let mut was_quoted = false;
        let mut after_quote = false;
        loop {
            let bytes = trim_eol(&self.line).len();
            while pos < bytes {
                let b = self.line[pos];
                if in_quotes {
                    if b == b'"' {
                        if self.line.get(pos + 1) == Some(&b'"') && pos + 1 < bytes {
                            field.push(b'"');
                            pos += 2;
                            continue;
                        }
                        in_quotes = false;
                        after_quote = true;
                    } else {
                        field.push(b);
                    }
                } else if b == b',' {
                    self.push_field(rec, &mut field, pos)?;
                    was_quoted = false;
                    after_quote = false;
                } else if after_quote {
                    return Err(self.error(&self.line, pos, "text after a closing quote"));
                } else if b == b'"' {
                    if !field.is_empty() || was_quoted {
                        return Err(self.error(&self.line, pos, "quote inside an unquoted field"));
                    }
                    in_quotes = true;
                    was_quoted = true;
                } else {
                    field.push(b);
                }
                pos += 1;
            }
            if !in_quotes {
                break;
            }
            // A quoted field spans the line break: keep it and read on.
            field.extend_from_slice(&self.line[bytes..]);
            let start_line = rec.line;
            if !self.read_line()? {
                return Err(CsvError {
                    line: start_line,
                    column: 1,
                    message: "quoted field not closed before end of file".into(),
                });
            }
            pos = 0;
        }
        self.push_field(rec, &mut field, pos)?;
        Ok(true)
    }

    fn push_field(
        &self,
        rec: &mut Record,
        field: &mut Vec<u8>,
        pos: usize,
    ) -> Result<(), CsvError> {
        match std::str::from_utf8(field) {
            Ok(s) => rec.buf.push_str(s),
            Err(e) => {
                let bad = pos.saturating_sub(field.len()) + e.valid_up_to();
                return Err(self.error(&self.line, bad, "not valid UTF-8"));
            }
        }
        rec.ends.push(rec.buf.len());
        field.clear();
        Ok(())
    }

    fn error(&self, line: &[u8], byte: usize, message: &str) -> CsvError {
        // Columns count characters, as editors show them.
        let prefix = &line[..byte.min(line.len())];
        let column = String::from_utf8_lossy(prefix).chars().count() as u64 + 1;
        CsvError {
            line: self.line_no,
            column,
            message: message.to_string(),
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\n' {
        end -= 1;
        if end > 0 && line[end - 1] == b'\r' {
            end -= 1;
        }
    }
    &line[..end]
}
