//! Postgres binary COPY → MPCSL's CSV dialect.
//!
//! Formatting 5 million floats as text is most of the cost of a text `COPY`; in binary the
//! server just sends the 8 bytes, and Rust writes them with `ryu`, shaped like Python's `repr`
//! (what MPCSL's CSV holds). Types other than floats, integers, booleans and text are cast to
//! text in the query, so every column decodes as one of [`Kind`].

use bytes::{Buf, BytesMut};

use super::csv::write_field;

const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";

/// How a column travels in the binary COPY.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    F8,
    F4,
    I2,
    I4,
    I8,
    Bool,
    /// UTF-8 text (also everything cast with `::text`).
    Text,
}

impl Kind {
    /// The kind for a Postgres type name, and whether the column must be cast to text.
    pub fn for_type(type_name: &str) -> (Kind, bool) {
        match type_name {
            "FLOAT8" => (Kind::F8, false),
            "FLOAT4" => (Kind::F4, false),
            "INT2" => (Kind::I2, false),
            "INT4" => (Kind::I4, false),
            "INT8" => (Kind::I8, false),
            "BOOL" => (Kind::Bool, false),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => (Kind::Text, false),
            _ => (Kind::Text, true),
        }
    }
}

/// Decodes a binary COPY stream, in pieces of any size, into CSV records (CRLF line ends).
pub struct BinaryCopyDecoder {
    kinds: Vec<Kind>,
    pending: BytesMut,
    header_read: bool,
    floats: ryu::Buffer,
    ints: itoa::Buffer,
}

impl BinaryCopyDecoder {
    pub fn new(kinds: Vec<Kind>) -> Self {
        BinaryCopyDecoder {
            kinds,
            pending: BytesMut::new(),
            header_read: false,
            floats: ryu::Buffer::new(),
            ints: itoa::Buffer::new(),
        }
    }

    /// Appends the CSV of every complete row in `piece` (and earlier leftovers) to `out`.
    pub fn push(&mut self, piece: &[u8], out: &mut BytesMut) -> Result<(), String> {
        self.pending.extend_from_slice(piece);
        if !self.header_read {
            if self.pending.len() < SIGNATURE.len() + 8 {
                return Ok(());
            }
            if &self.pending[..SIGNATURE.len()] != SIGNATURE {
                return Err("not a binary COPY stream".into());
            }
            let extension = u32::from_be_bytes(self.pending[15..19].try_into().expect("4 bytes")) as usize;
            if self.pending.len() < 19 + extension {
                return Ok(());
            }
            self.pending.advance(19 + extension);
            self.header_read = true;
        }
        loop {
            match self.row_length()? {
                Some(length) => {
                    let row = self.pending.split_to(length);
                    self.write_row(&row, out)?;
                }
                None => return Ok(()),
            }
        }
    }

    /// The byte length of the next complete row, `None` when it is not all here yet (or the
    /// trailer was reached).
    fn row_length(&self) -> Result<Option<usize>, String> {
        let data = &self.pending[..];
        if data.len() < 2 {
            return Ok(None);
        }
        let count = i16::from_be_bytes([data[0], data[1]]);
        if count == -1 {
            return Ok(None); // trailer
        }
        if count as usize != self.kinds.len() {
            return Err(format!("COPY row has {count} fields, expected {}", self.kinds.len()));
        }
        let mut at = 2;
        for _ in 0..count {
            if data.len() < at + 4 {
                return Ok(None);
            }
            let length = i32::from_be_bytes(data[at..at + 4].try_into().expect("4 bytes"));
            at += 4;
            if length > 0 {
                at += length as usize;
            }
            if data.len() < at {
                return Ok(None);
            }
        }
        Ok(Some(at))
    }

    fn write_row(&mut self, row: &[u8], out: &mut BytesMut) -> Result<(), String> {
        let mut at = 2;
        for (i, kind) in self.kinds.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b",");
            }
            let length = i32::from_be_bytes(row[at..at + 4].try_into().expect("4 bytes"));
            at += 4;
            if length < 0 {
                continue; // NULL: empty field
            }
            let value = &row[at..at + length as usize];
            at += length as usize;
            let wrong_size = || format!("column {i}: unexpected binary size {length}");
            match kind {
                Kind::F8 => {
                    let x = f64::from_be_bytes(value.try_into().map_err(|_| wrong_size())?);
                    write_python_float(out, x, &mut self.floats);
                }
                Kind::F4 => {
                    let x = f32::from_be_bytes(value.try_into().map_err(|_| wrong_size())?);
                    write_python_float(out, f64::from(x), &mut self.floats);
                }
                Kind::I2 => {
                    let n = i16::from_be_bytes(value.try_into().map_err(|_| wrong_size())?);
                    out.extend_from_slice(self.ints.format(n).as_bytes());
                }
                Kind::I4 => {
                    let n = i32::from_be_bytes(value.try_into().map_err(|_| wrong_size())?);
                    out.extend_from_slice(self.ints.format(n).as_bytes());
                }
                Kind::I8 => {
                    let n = i64::from_be_bytes(value.try_into().map_err(|_| wrong_size())?);
                    out.extend_from_slice(self.ints.format(n).as_bytes());
                }
                Kind::Bool => {
                    out.extend_from_slice(if value.first() == Some(&1) { b"True" } else { b"False" })
                }
                Kind::Text => {
                    let text =
                        std::str::from_utf8(value).map_err(|_| format!("column {i}: text is not UTF-8"))?;
                    write_field(out, text);
                }
            }
        }
        out.extend_from_slice(b"\r\n");
        Ok(())
    }
}

/// A float as Python's `repr` writes it: shortest round-trip digits (as `ryu`), `1.0` for whole
/// numbers, scientific notation below 1e-4 and from 1e16 on with a signed two-digit exponent.
pub fn write_python_float(out: &mut BytesMut, x: f64, buffer: &mut ryu::Buffer) {
    if x.is_nan() {
        out.extend_from_slice(b"nan");
        return;
    }
    if x.is_infinite() {
        out.extend_from_slice(if x > 0.0 { b"inf" } else { b"-inf" });
        return;
    }
    let text = buffer.format_finite(x);
    if let Some(e) = text.find('e') {
        let (mantissa, exponent) = (&text[..e], &text[e + 1..]);
        out.extend_from_slice(mantissa.as_bytes());
        write_exponent(out, exponent.starts_with('-'), exponent.trim_start_matches('-'));
        return;
    }
    // ryu writes 1.234e-5 as 0.00001234; Python switches to scientific notation there.
    let (negative, magnitude) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if let Some(fraction) = magnitude.strip_prefix("0.0000") {
        let zeros = 4 + fraction.len() - fraction.trim_start_matches('0').len();
        let digits = fraction.trim_start_matches('0');
        if negative {
            out.extend_from_slice(b"-");
        }
        out.extend_from_slice(&digits.as_bytes()[..1]);
        if digits.len() > 1 {
            out.extend_from_slice(b".");
            out.extend_from_slice(&digits.as_bytes()[1..]);
        }
        let exponent = (zeros + 1).to_string();
        write_exponent(out, true, &exponent);
        return;
    }
    out.extend_from_slice(text.as_bytes());
}

fn write_exponent(out: &mut BytesMut, negative: bool, digits: &str) {
    out.extend_from_slice(if negative { b"e-" } else { b"e+" });
    if digits.len() < 2 {
        out.extend_from_slice(b"0");
    }
    out.extend_from_slice(digits.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python(x: f64) -> String {
        let mut out = BytesMut::new();
        write_python_float(&mut out, x, &mut ryu::Buffer::new());
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn floats_look_like_python_repr() {
        // Expected values are what Python 3 prints for repr(x).
        let cases = [
            (1.0, "1.0"),
            (0.5, "0.5"),
            (-2.0, "-2.0"),
            (0.1, "0.1"),
            (1e-5, "1e-05"),
            (1.234e-5, "1.234e-05"),
            (-1.234e-5, "-1.234e-05"),
            (0.0001234, "0.0001234"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.2345678901234567e20, "1.2345678901234567e+20"),
            (1e100, "1e+100"),
            (0.0, "0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, expected) in cases {
            assert_eq!(python(x), expected, "{x:e}");
        }
        assert_eq!(python(f64::from(0.1f32)), "0.10000000149011612");
    }

    fn field(bytes: &[u8]) -> Vec<u8> {
        let mut out = (bytes.len() as i32).to_be_bytes().to_vec();
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn rows_decode_in_any_piece_size() {
        let mut stream = SIGNATURE.to_vec();
        stream.extend_from_slice(&0u32.to_be_bytes());
        stream.extend_from_slice(&0u32.to_be_bytes());
        for (x, n, text) in [(1.5f64, 7i64, "a,b"), (1e-5, -3, "plain")] {
            stream.extend_from_slice(&4i16.to_be_bytes());
            stream.extend(field(&x.to_be_bytes()));
            stream.extend(field(&n.to_be_bytes()));
            stream.extend(field(&[1]));
            stream.extend(field(text.as_bytes()));
        }
        stream.extend_from_slice(&4i16.to_be_bytes());
        for _ in 0..4 {
            stream.extend_from_slice(&(-1i32).to_be_bytes());
        }
        stream.extend_from_slice(&(-1i16).to_be_bytes());
        let expected = "1.5,7,True,\"a,b\"\r\n1e-05,-3,True,plain\r\n,,,\r\n";
        for piece_size in [1, 3, 7, stream.len()] {
            let mut decoder = BinaryCopyDecoder::new(vec![Kind::F8, Kind::I8, Kind::Bool, Kind::Text]);
            let mut out = BytesMut::new();
            for piece in stream.chunks(piece_size) {
                decoder.push(piece, &mut out).unwrap();
            }
            assert_eq!(String::from_utf8(out.to_vec()).unwrap(), expected, "pieces of {piece_size}");
        }
    }
}
