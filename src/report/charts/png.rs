//! A small PNG encoder for 8-bit RGB buffers.
//!
//! plotters can only save bitmaps to a file path, and the crate's PNG libraries are not
//! direct dependencies, so the bytes are encoded here: zlib with one fixed-Huffman deflate
//! block and a greedy LZ77 matcher. Charts are mostly flat colour and repeated rows, which
//! this compresses well; the output is deterministic.

/// Encodes `rgb` (row-major, 3 bytes a pixel, no padding) as a PNG.
/// The caller guarantees `rgb.len() == width * height * 3`.
pub(super) fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let stride = width as usize * 3;
    // Filter type 0 (none) on every row: repeated rows become distance-`stride + 1`
    // matches and flat runs distance-3 matches, which is what the matcher finds.
    let mut raw = Vec::with_capacity(rgb.len() + height as usize);
    for row in rgb.chunks(stride.max(1)).take(height as usize) {
        raw.push(0);
        raw.extend_from_slice(row);
    }

    let mut out = Vec::new();
    out.extend_from_slice(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n']);
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

pub(super) fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

pub(super) fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest run that cannot overflow before the modulo.
    for block in bytes.chunks(5552) {
        for &byte in block {
            a += u32::from(byte);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    (b << 16) | a
}

fn zlib(data: &[u8]) -> Vec<u8> {
    // 0x78 0x01: deflate with a 32 KiB window, no dictionary; the pair is a multiple of 31.
    let mut bits = BitWriter { out: vec![0x78, 0x01], acc: 0, n: 0 };
    deflate_fixed(data, &mut bits);
    let mut out = bits.finish();
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl BitWriter {
    /// Writes `count` bits of `value`, least significant first (deflate's bit order).
    fn bits(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push((self.acc & 0xff) as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Writes a Huffman code, whose bits go most significant first.
    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.bits(reversed, len);
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push((self.acc & 0xff) as u8);
        }
        self.out
    }
}

const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
    227, 258,
];
const LENGTH_EXTRA: [u8; 29] =
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
    4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
const HASH_BITS: u32 = 15;
const MAX_CHAIN: usize = 24;

/// The fixed literal/length code of RFC 1951 section 3.2.6.
fn literal_code(symbol: u32) -> (u32, u32) {
    match symbol {
        0..=143 => (0x30 + symbol, 8),
        144..=255 => (0x190 + symbol - 144, 9),
        256..=279 => (symbol - 256, 7),
        _ => (0xc0 + symbol - 280, 8),
    }
}

fn write_literal(bits: &mut BitWriter, symbol: u32) {
    let (code, len) = literal_code(symbol);
    bits.code(code, len);
}

fn write_match(bits: &mut BitWriter, length: usize, distance: usize) {
    let li = LENGTH_BASE.iter().rposition(|&base| usize::from(base) <= length).unwrap_or(0);
    write_literal(bits, 257 + li as u32);
    bits.bits((length - usize::from(LENGTH_BASE[li])) as u32, u32::from(LENGTH_EXTRA[li]));
    let di = DIST_BASE.iter().rposition(|&base| usize::from(base) <= distance).unwrap_or(0);
    bits.code(di as u32, 5);
    bits.bits((distance - usize::from(DIST_BASE[di])) as u32, u32::from(DIST_EXTRA[di]));
}

fn hash3(data: &[u8], i: usize) -> usize {
    let v = (u32::from(data[i]) << 16) | (u32::from(data[i + 1]) << 8) | u32::from(data[i + 2]);
    (v.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

fn deflate_fixed(data: &[u8], bits: &mut BitWriter) {
    // BFINAL = 1, BTYPE = 01 (fixed Huffman codes).
    bits.bits(1, 1);
    bits.bits(1, 2);
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; WINDOW];
    let insert = |head: &mut Vec<usize>, prev: &mut Vec<usize>, i: usize| {
        if i + MIN_MATCH <= data.len() {
            let h = hash3(data, i);
            prev[i % WINDOW] = head[h];
            head[h] = i;
        }
    };
    let mut i = 0;
    while i < data.len() {
        let mut best_len = 0;
        let mut best_dist = 0;
        if i + MIN_MATCH <= data.len() {
            let mut candidate = head[hash3(data, i)];
            let max_len = MAX_MATCH.min(data.len() - i);
            let mut chain = 0;
            while candidate != usize::MAX && i - candidate <= WINDOW && chain < MAX_CHAIN {
                let len =
                    data[candidate..].iter().zip(&data[i..i + max_len]).take_while(|(a, b)| a == b).count();
                if len > best_len {
                    best_len = len;
                    best_dist = i - candidate;
                    if len == max_len {
                        break;
                    }
                }
                let next = prev[candidate % WINDOW];
                // The chain slot may have been reused by a newer position: stop there.
                if next == usize::MAX || next >= candidate {
                    break;
                }
                candidate = next;
                chain += 1;
            }
        }
        if best_len >= MIN_MATCH {
            write_match(bits, best_len, best_dist);
            for j in i..i + best_len {
                insert(&mut head, &mut prev, j);
            }
            i += best_len;
        } else {
            write_literal(bits, u32::from(data[i]));
            insert(&mut head, &mut prev, i);
            i += 1;
        }
    }
    write_literal(bits, 256);
}

#[cfg(test)]
pub(super) mod tests {
    //! A minimal inflater for the blocks this encoder writes, so the tests can check the
    //! round trip without a PNG library.

    use super::*;

    struct BitReader<'a> {
        data: &'a [u8],
        pos: usize,
        bit: u32,
    }

    impl BitReader<'_> {
        fn bit(&mut self) -> u32 {
            let b = (u32::from(self.data[self.pos]) >> self.bit) & 1;
            self.bit += 1;
            if self.bit == 8 {
                self.bit = 0;
                self.pos += 1;
            }
            b
        }
        fn bits(&mut self, n: u32) -> u32 {
            (0..n).fold(0, |acc, k| acc | (self.bit() << k))
        }
        fn huffman(&mut self, n: u32) -> u32 {
            (0..n).fold(0, |acc, _| (acc << 1) | self.bit())
        }
        fn literal(&mut self) -> u32 {
            let mut code = self.huffman(7);
            if code <= 0x17 {
                return code + 256;
            }
            code = (code << 1) | self.bit();
            if (0x30..=0xbf).contains(&code) {
                return code - 0x30;
            }
            if (0xc0..=0xc7).contains(&code) {
                return code - 0xc0 + 280;
            }
            code = (code << 1) | self.bit();
            code - 0x190 + 144
        }
    }

    /// Inflates a zlib stream made of fixed-Huffman blocks, checking the Adler-32.
    pub(crate) fn inflate_fixed(zlib: &[u8]) -> Vec<u8> {
        assert_eq!(&zlib[..2], &[0x78, 0x01]);
        let mut r = BitReader { data: &zlib[2..], pos: 0, bit: 0 };
        let mut out: Vec<u8> = Vec::new();
        loop {
            let last = r.bits(1);
            assert_eq!(r.bits(2), 1, "only fixed-Huffman blocks are written");
            loop {
                let symbol = r.literal();
                match symbol {
                    0..=255 => out.push(symbol as u8),
                    256 => break,
                    _ => {
                        let li = (symbol - 257) as usize;
                        let len = usize::from(LENGTH_BASE[li]) + r.bits(u32::from(LENGTH_EXTRA[li])) as usize;
                        let di = r.huffman(5) as usize;
                        let dist = usize::from(DIST_BASE[di]) + r.bits(u32::from(DIST_EXTRA[di])) as usize;
                        let start = out.len() - dist;
                        for k in 0..len {
                            out.push(out[start + k]);
                        }
                    }
                }
            }
            if last == 1 {
                break;
            }
        }
        let end = 2 + r.pos + usize::from(r.bit > 0);
        let stored = u32::from_be_bytes([zlib[end], zlib[end + 1], zlib[end + 2], zlib[end + 3]]);
        assert_eq!(stored, adler32(&out));
        out
    }

    /// Decodes a PNG written by [`encode_rgb`]: (width, height, RGB pixels).
    pub(crate) fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        assert_eq!(&png[..8], &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n']);
        let mut pos = 8;
        let (mut width, mut height, mut idat) = (0, 0, Vec::new());
        while pos < png.len() {
            let len = u32::from_be_bytes([png[pos], png[pos + 1], png[pos + 2], png[pos + 3]]) as usize;
            let kind = &png[pos + 4..pos + 8];
            let data = &png[pos + 8..pos + 8 + len];
            let crc = u32::from_be_bytes([
                png[pos + 8 + len],
                png[pos + 9 + len],
                png[pos + 10 + len],
                png[pos + 11 + len],
            ]);
            assert_eq!(crc, crc32(&png[pos + 4..pos + 8 + len]), "CRC of {kind:?}");
            match kind {
                b"IHDR" => {
                    width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                    height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                    assert_eq!(&data[8..], &[8, 2, 0, 0, 0]);
                }
                b"IDAT" => idat.extend_from_slice(data),
                _ => {}
            }
            pos += 12 + len;
        }
        let raw = inflate_fixed(&idat);
        let stride = width as usize * 3;
        let mut rgb = Vec::with_capacity(stride * height as usize);
        for row in raw.chunks(stride + 1) {
            assert_eq!(row[0], 0, "filter type");
            rgb.extend_from_slice(&row[1..]);
        }
        (width, height, rgb)
    }

    #[test]
    fn checksums_match_known_values() {
        // Reference values from zlib's crc32() and adler32().
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn round_trips_flat_noisy_and_tiny_images() {
        let (w, h) = (37u32, 23u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        let mut state = 12345u32;
        for (k, px) in rgb.iter_mut().enumerate() {
            if k % 7 == 0 || (k / 111) % 3 == 0 {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
                *px = (state >> 16) as u8;
            }
        }
        for (w, h, rgb) in [(w, h, rgb), (1, 1, vec![1, 2, 3]), (300, 200, vec![255; 300 * 200 * 3])] {
            let png = encode_rgb(w, h, &rgb);
            assert_eq!(decode(&png), (w, h, rgb));
        }
    }

    #[test]
    fn flat_images_compress() {
        let png = encode_rgb(1440, 720, &vec![255; 1440 * 720 * 3]);
        assert!(png.len() < 40_000, "{} bytes", png.len());
    }
}
