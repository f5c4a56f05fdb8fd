//! CSV output in MPCSL's dialect (api.md §3.7): comma separated, CRLF line ends, quotes only
//! where needed, NULL as an empty field. Output is gathered into ~64 KiB chunks, because every
//! stream item becomes one HTTP chunk.

use bytes::{Bytes, BytesMut};

const CHUNK: usize = 64 * 1024;

pub struct CsvChunker {
    buffer: BytesMut,
}

impl Default for CsvChunker {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvChunker {
    pub fn new() -> Self {
        CsvChunker { buffer: BytesMut::with_capacity(CHUNK + 1024) }
    }

    /// Appends one record; `None` is NULL (an empty field).
    pub fn write_record<'a>(&mut self, fields: impl IntoIterator<Item = Option<&'a str>>) {
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.buffer.extend_from_slice(b",");
            }
            if let Some(text) = field {
                write_field(&mut self.buffer, text);
            }
        }
        self.buffer.extend_from_slice(b"\r\n");
    }

    /// The buffer, for writers that produce records themselves.
    pub fn buffer(&mut self) -> &mut BytesMut {
        &mut self.buffer
    }

    /// The gathered bytes once a chunk is full.
    pub fn take_if_full(&mut self) -> Option<Bytes> {
        (self.buffer.len() >= CHUNK).then(|| self.buffer.split().freeze())
    }

    /// Whatever is left.
    pub fn finish(mut self) -> Option<Bytes> {
        (!self.buffer.is_empty()).then(|| self.buffer.split().freeze())
    }
}

/// Writes one field, quoted when it contains a separator, a quote or a line break.
pub fn write_field(out: &mut BytesMut, text: &str) {
    if text.bytes().any(|b| matches!(b, b',' | b'"' | b'\r' | b'\n')) {
        out.extend_from_slice(b"\"");
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.extend_from_slice(b"\"");
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_quoted_only_where_needed_and_end_in_crlf() {
        let mut chunker = CsvChunker::new();
        chunker.write_record([Some("a"), Some("x,y"), None, Some("say \"hi\"")]);
        assert_eq!(&chunker.finish().unwrap()[..], b"a,\"x,y\",,\"say \"\"hi\"\"\"\r\n");
    }

    #[test]
    fn chunks_are_released_when_full() {
        let mut chunker = CsvChunker::new();
        assert!(chunker.take_if_full().is_none());
        let line = "x".repeat(1000);
        for _ in 0..70 {
            chunker.write_record([Some(line.as_str())]);
        }
        let chunk = chunker.take_if_full().expect("a full chunk");
        assert!(chunk.len() >= CHUNK);
        assert!(chunker.finish().is_none());
    }
}
