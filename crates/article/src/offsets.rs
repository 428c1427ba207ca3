//! Byte to code point offset conversion for output records.

/// Bytes per block of the prefix table: one `u32` per 64 bytes keeps the table at 1/16 of
/// the text while a lookup counts at most 63 bytes.
const BLOCK: usize = 64;

/// Converts byte offsets into a text to Unicode code point offsets.
///
/// Pure-ASCII text (most English news) converts for free; otherwise a prefix table of
/// code point counts per 64-byte block is built once, and each lookup counts the leading
/// bytes of at most one block.
#[derive(Debug)]
pub struct CharOffsets<'t> {
    /// The text the offsets refer to.
    text: &'t [u8],
    /// Code points before the start of each block; empty for ASCII text.
    blocks: Vec<u32>,
}

impl<'t> CharOffsets<'t> {
    /// Prepares conversions for `text`.
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let blocks = if text.is_ascii() {
            Vec::new()
        } else {
            let mut blocks = Vec::with_capacity(bytes.len() / BLOCK + 1);
            let mut chars = 0u32;
            for chunk in bytes.chunks(BLOCK) {
                blocks.push(chars);
                chars += count_char_starts(chunk) as u32;
            }
            blocks.push(chars);
            blocks
        };
        Self {
            text: bytes,
            blocks,
        }
    }

    /// The code point offset of byte offset `byte` (clamped to the text's length).
    pub fn char_offset(&self, byte: usize) -> usize {
        let byte = byte.min(self.text.len());
        if self.blocks.is_empty() {
            return byte;
        }
        let block = byte / BLOCK;
        let start = block * BLOCK;
        self.blocks[block] as usize + count_char_starts(&self.text[start..byte])
    }
}

/// Counts the bytes that start a UTF-8 character (everything but continuation bytes).
fn count_char_starts(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_char_indices_on_mixed_text() {
        let text = "Café “Genève” — 東京 😀 ".repeat(20);
        let offsets = CharOffsets::new(&text);
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(offsets.char_offset(byte), chars, "byte {byte}");
        }
        assert_eq!(offsets.char_offset(text.len()), text.chars().count());
    }

    #[test]
    fn ascii_is_identity() {
        let offsets = CharOffsets::new("plain text");
        assert_eq!(offsets.char_offset(5), 5);
        assert_eq!(offsets.char_offset(99), 10);
    }
}
