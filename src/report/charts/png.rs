//! Chart bitmaps as PNG bytes, through the `png` crate (the encoder plotters' own bitmap
//! support is built on). plotters draws into an RGB buffer; this writes the buffer out.
//! The encoder's settings are fixed, so the bytes are deterministic.

use crate::error::Result;

/// Encodes `rgb` (row-major, 3 bytes a pixel, no padding) as a PNG.
///
/// # Errors
///
/// The encoder's error as a chart error, if `rgb` is not `width * height * 3` bytes.
pub(super) fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        encoder.set_filter(png::FilterType::Paeth);
        let mut writer = encoder.write_header().map_err(super::chart_error)?;
        writer.write_image_data(rgb).map_err(super::chart_error)?;
        writer.finish().map_err(super::chart_error)?;
    }
    Ok(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Width, height and RGB bytes of a PNG.
    pub(crate) fn decode(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().unwrap();
        let mut rgb = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut rgb).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        rgb.truncate(info.buffer_size());
        (info.width, info.height, rgb)
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
            let png = encode_rgb(w, h, &rgb).unwrap();
            assert_eq!(decode(&png), (w, h, rgb));
        }
    }

    #[test]
    fn flat_images_compress() {
        let png = encode_rgb(1440, 720, &vec![255; 1440 * 720 * 3]).unwrap();
        assert!(png.len() < 40_000, "{} bytes", png.len());
    }

    #[test]
    fn a_buffer_of_the_wrong_size_is_an_error() {
        assert!(encode_rgb(2, 2, &[0; 5]).is_err());
    }
}
