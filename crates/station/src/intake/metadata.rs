//! Removing file metadata on the way in, before encryption, streaming (a 500 MiB file never
//! sits in memory).
//!
//! Threat: a volunteer's photo carries the camera's serial number, the GPS position and time
//! it was taken, the editing software's user name; that identifies them to whoever reads the
//! submission, and a custodian cannot "unread" it. What this removes:
//! - JPEG: every APPn segment except APP0 (JFIF: pixel density) and APP14 (Adobe: needed to
//!   decode CMYK colours), i.e. EXIF, XMP, IPTC, ICC profiles, maker notes, and comments
//!   (COM), before the image data.
//! - PNG: the text chunks (tEXt, zTXt, iTXt), EXIF (eXIf) and the modification time (tIME).
//!
//! Anything else passes unchanged, and the volunteer is told so.

use std::io::{self, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Other,
}

/// What was done to a file, for the volunteer's receipt and the custodian's note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripReport {
    pub kind: FileKind,
    /// Names of what was removed (e.g. "EXIF/XMP (APP1)"), each once.
    pub removed: Vec<String>,
    /// The file did not parse as its format claims; the rest was kept unchanged.
    pub malformed: bool,
}

impl StripReport {
    /// A sentence for the volunteer.
    pub fn summary(&self) -> String {
        let removed = if self.removed.is_empty() {
            "none was found".to_owned()
        } else {
            format!("removed: {}", self.removed.join(", "))
        };
        match self.kind {
            FileKind::Jpeg | FileKind::Png => {
                let name = if self.kind == FileKind::Jpeg {
                    "JPEG"
                } else {
                    "PNG"
                };
                let mut s = format!(
                    "{name} image: metadata {removed}. What the picture shows (faces, screens, places) can still identify you."
                );
                if self.malformed {
                    s.push_str(" Part of the file could not be read as a normal image and was kept unchanged; it may still hold metadata.");
                }
                s
            }
            FileKind::Other => "This file is not a JPEG or PNG image, so it was stored unchanged: any metadata inside it (author names in documents, locations in videos, and so on) was NOT removed.".to_owned(),
        }
    }
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];

enum State {
    /// Collecting the first bytes to recognise the format.
    Sniff(Vec<u8>),
    /// JPEG: reading a marker (0xFF, code) and, for a segment, its 2-byte length.
    JpegMarker(Vec<u8>),
    /// PNG: reading a chunk's length and type.
    PngChunk(Vec<u8>),
    /// Writing `n` more bytes, then back to `then`.
    Copy(u64, Then),
    /// Dropping `n` more bytes, then back to `then`.
    Skip(u64, Then),
    /// Everything else as it comes.
    Pass,
}

#[derive(Clone, Copy)]
enum Then {
    Jpeg,
    Png,
}

impl Then {
    fn state(self) -> State {
        match self {
            Then::Jpeg => State::JpegMarker(Vec::with_capacity(4)),
            Then::Png => State::PngChunk(Vec::with_capacity(8)),
        }
    }
}

/// A writer that strips metadata from what passes through it into `inner`.
pub struct Stripper<W: Write> {
    inner: W,
    state: State,
    report: StripReport,
    /// Bytes that reached `inner`.
    written: u64,
}

impl<W: Write> Stripper<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            state: State::Sniff(Vec::with_capacity(8)),
            report: StripReport {
                kind: FileKind::Other,
                removed: Vec::new(),
                malformed: false,
            },
            written: 0,
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.written += bytes.len() as u64;
        self.inner.write_all(bytes)
    }

    fn removed(&mut self, what: &str) {
        if !self.report.removed.iter().any(|r| r == what) {
            self.report.removed.push(what.to_owned());
        }
    }

    /// Gives up parsing: what was held back and everything after goes through unchanged.
    fn give_up(&mut self, held: &[u8]) -> io::Result<()> {
        self.report.malformed = true;
        self.state = State::Pass;
        self.emit(held)
    }

    pub fn push(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            match std::mem::replace(&mut self.state, State::Pass) {
                State::Pass => {
                    self.emit(data)?;
                    return Ok(());
                }
                State::Copy(n, then) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(data.len());
                    self.emit(&data[..take])?;
                    data = &data[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        then.state()
                    } else {
                        State::Copy(left, then)
                    };
                }
                State::Skip(n, then) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(data.len());
                    data = &data[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        then.state()
                    } else {
                        State::Skip(left, then)
                    };
                }
                State::Sniff(mut buf) => {
                    let take = (8 - buf.len()).min(data.len());
                    buf.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if buf.len() < 8 {
                        self.state = State::Sniff(buf);
                    } else {
                        self.recognise(buf)?;
                    }
                }
                State::JpegMarker(mut buf) => {
                    // Fill bytes (0xFF repeated) may precede a marker code.
                    if buf.len() == 1 && data[0] == 0xFF {
                        data = &data[1..];
                        self.state = State::JpegMarker(buf);
                        continue;
                    }
                    buf.push(data[0]);
                    data = &data[1..];
                    self.jpeg_marker(buf)?;
                }
                State::PngChunk(mut buf) => {
                    let take = (8 - buf.len()).min(data.len());
                    buf.extend_from_slice(&data[..take]);
                    data = &data[take..];
                    if buf.len() < 8 {
                        self.state = State::PngChunk(buf);
                    } else {
                        self.png_chunk(&buf)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn recognise(&mut self, buf: Vec<u8>) -> io::Result<()> {
        if buf.starts_with(&[0xFF, 0xD8, 0xFF]) {
            self.report.kind = FileKind::Jpeg;
            self.emit(&buf[..2])?;
            self.state = State::JpegMarker(Vec::with_capacity(4));
            // The rest of the sniffed bytes start the first marker.
            self.push(&buf[2..])
        } else if buf == PNG_SIGNATURE {
            self.report.kind = FileKind::Png;
            self.emit(&buf)?;
            self.state = State::PngChunk(Vec::with_capacity(8));
            Ok(())
        } else {
            self.state = State::Pass;
            self.emit(&buf)
        }
    }

    fn jpeg_marker(&mut self, buf: Vec<u8>) -> io::Result<()> {
        if buf[0] != 0xFF {
            return self.give_up(&buf);
        }
        if buf.len() < 2 {
            self.state = State::JpegMarker(buf);
            return Ok(());
        }
        let code = buf[1];
        match code {
            // Start of scan: the compressed image follows; metadata segments come before it.
            // End of image: whatever trails it is passed as is.
            0xDA | 0xD9 => {
                self.state = State::Pass;
                self.emit(&buf)
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => {
                self.state = State::JpegMarker(Vec::with_capacity(4));
                self.emit(&buf)
            }
            0x00 => self.give_up(&buf),
            _ if buf.len() < 4 => {
                self.state = State::JpegMarker(buf);
                Ok(())
            }
            _ => {
                let len = u16::from_be_bytes([buf[2], buf[3]]);
                if len < 2 {
                    return self.give_up(&buf);
                }
                let body = u64::from(len - 2);
                let drop = match code {
                    0xE1 => Some("EXIF/XMP (APP1)"),
                    0xE2 => Some("ICC profile and FlashPix (APP2)"),
                    0xED => Some("IPTC/Photoshop (APP13)"),
                    0xE3..=0xEC | 0xEF => Some("other application data (APPn)"),
                    0xFE => Some("comments"),
                    _ => None,
                };
                match drop {
                    Some(what) => {
                        self.removed(what);
                        self.state = State::Skip(body, Then::Jpeg);
                    }
                    None => {
                        self.emit(&buf)?;
                        self.state = State::Copy(body, Then::Jpeg);
                    }
                }
                if body == 0 {
                    self.state = Then::Jpeg.state();
                }
                Ok(())
            }
        }
    }

    fn png_chunk(&mut self, buf: &[u8]) -> io::Result<()> {
        let len = u64::from(u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]));
        let kind = &buf[4..8];
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return self.give_up(buf);
        }
        // The chunk's data and its 4-byte CRC.
        let body = len + 4;
        let drop = match kind {
            b"tEXt" | b"zTXt" | b"iTXt" => Some("text (tEXt, zTXt, iTXt)"),
            b"eXIf" => Some("EXIF (eXIf)"),
            b"tIME" => Some("modification time (tIME)"),
            _ => None,
        };
        match drop {
            Some(what) => {
                self.removed(what);
                self.state = State::Skip(body, Then::Png);
            }
            None if kind == b"IEND" => {
                self.emit(buf)?;
                self.state = State::Pass;
            }
            None => {
                self.emit(buf)?;
                self.state = State::Copy(body, Then::Png);
            }
        }
        Ok(())
    }

    /// Flushes what is held back (a file too short to recognise) and returns the writer, the
    /// report and the number of bytes written.
    pub fn finish(mut self) -> io::Result<(W, StripReport, u64)> {
        match std::mem::replace(&mut self.state, State::Pass) {
            State::Sniff(buf) => self.emit(&buf)?,
            State::JpegMarker(buf) | State::PngChunk(buf) if !buf.is_empty() => {
                self.report.malformed = true;
                self.emit(&buf)?;
            }
            State::Copy(..) | State::Skip(..) => self.report.malformed = true,
            _ => {}
        }
        Ok((self.inner, self.report, self.written))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rstest::rstest;

    fn segment(code: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, code];
        v.extend_from_slice(&u16::try_from(body.len() + 2).unwrap().to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    fn jpeg() -> (Vec<u8>, Vec<u8>) {
        let scan = [0xFF, 0xDA, 0x00, 0x02, 1, 2, 3, 0xFF, 0x00, 4, 0xFF, 0xD9];
        let mut with = vec![0xFF, 0xD8];
        with.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        with.extend(segment(
            0xE1,
            b"Exif\0\0GPS 51.5N 0.1W Canon EOS serial 1234",
        ));
        with.extend(segment(0xFE, b"taken by alice"));
        with.extend(segment(0xDB, &[0u8; 65]));
        with.extend(segment(0xED, b"Photoshop 3.0 IPTC byline"));
        with.extend(scan);
        let mut without = vec![0xFF, 0xD8];
        without.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        without.extend(segment(0xDB, &[0u8; 65]));
        without.extend(scan);
        (with, without)
    }

    fn png_chunk(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v.extend_from_slice(&[0, 0, 0, 0]);
        v
    }

    fn png() -> (Vec<u8>, Vec<u8>) {
        let ihdr = png_chunk(b"IHDR", &[0u8; 13]);
        let idat = png_chunk(b"IDAT", b"compressed pixels");
        let iend = png_chunk(b"IEND", b"");
        let mut with = PNG_SIGNATURE.to_vec();
        with.extend(&ihdr);
        with.extend(png_chunk(b"tEXt", b"Author\0alice"));
        with.extend(png_chunk(b"tIME", &[7, 234, 3, 2, 9, 0, 0]));
        with.extend(&idat);
        with.extend(png_chunk(b"eXIf", b"MM\0*GPS"));
        with.extend(&iend);
        let mut without = PNG_SIGNATURE.to_vec();
        without.extend(ihdr);
        without.extend(idat);
        without.extend(iend);
        (with, without)
    }

    fn strip(data: &[u8], piece: usize) -> (Vec<u8>, StripReport) {
        let mut s = Stripper::new(Vec::new());
        for chunk in data.chunks(piece) {
            s.push(chunk).unwrap();
        }
        let (out, report, written) = s.finish().unwrap();
        assert_eq!(written, out.len() as u64);
        (out, report)
    }

    #[rstest]
    #[case::whole(10_000)]
    #[case::bytewise(1)]
    #[case::odd_pieces(7)]
    fn jpeg_loses_exif_and_comments_and_keeps_the_image(#[case] piece: usize) {
        let (with, without) = jpeg();
        let (out, report) = strip(&with, piece);
        assert_eq!(out, without);
        assert_eq!(report.kind, FileKind::Jpeg);
        assert!(!report.malformed);
        assert_eq!(report.removed.len(), 3, "{report:?}");
        assert!(report.summary().contains("EXIF"));
    }

    #[rstest]
    #[case::whole(10_000)]
    #[case::bytewise(1)]
    #[case::odd_pieces(5)]
    fn png_loses_text_time_and_exif(#[case] piece: usize) {
        let (with, without) = png();
        let (out, report) = strip(&with, piece);
        assert_eq!(out, without);
        assert_eq!(report.kind, FileKind::Png);
        assert_eq!(report.removed.len(), 3, "{report:?}");
    }

    #[rstest]
    #[case::pdf(b"%PDF-1.7\n/Author (alice)\n".to_vec())]
    #[case::tiny(b"hi".to_vec())]
    #[case::empty(Vec::new())]
    fn other_files_pass_unchanged_and_the_volunteer_is_told(#[case] data: Vec<u8>) {
        let (out, report) = strip(&data, 3);
        assert_eq!(out, data);
        assert_eq!(report.kind, FileKind::Other);
        assert!(report.summary().contains("NOT removed"));
    }

    #[rstest]
    #[case::truncated_segment({ let mut j = jpeg().0; j.truncate(20); j })]
    #[case::garbage_after_soi(vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01, 9, 9, 9, 9])]
    #[case::bad_png_chunk({ let mut p = PNG_SIGNATURE.to_vec(); p.extend([0, 0, 0, 1, 0, 1, 2, 3, 9]); p })]
    fn malformed_images_never_panic_and_say_so(#[case] data: Vec<u8>) {
        for piece in [1, 3, 1000] {
            let (_, report) = strip(&data, piece);
            assert!(report.malformed, "{report:?}");
        }
    }
}
