//! The QR code, drawn in the browser from the otpauth URI: one SVG path of
//! merged horizontal runs in module units (a few KB, where one rect per module
//! would be tens), with a text alternative.

use leptos::prelude::*;
use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code, as the QR specification asks.
const QUIET_ZONE: usize = 4;

/// The SVG markup for `data`, or `None` if it does not fit in a QR code.
pub fn qr_svg(data: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut path = String::new();
    // Each run is a subpath "m dx,dy h len v1 h -len z"; after z the pen is
    // back at the run's start, so the next move is relative to it.
    let (mut pen_x, mut pen_y) = (0i64, 0i64);
    for y in 0..width {
        let row = &colors[y * width..(y + 1) * width];
        let mut x = 0;
        while x < width {
            if row[x] != Color::Dark {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] == Color::Dark {
                x += 1;
            }
            let (sx, sy) = ((start + QUIET_ZONE) as i64, (y + QUIET_ZONE) as i64);
            let len = x - start;
            path.push_str(&format!("m{},{}h{len}v1h-{len}z", sx - pen_x, sy - pen_y));
            (pen_x, pen_y) = (sx, sy);
        }
    }
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" aria-hidden="true" focusable="false"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>"##
    ))
}

/// The code as an image with a spoken description (`alt`).
#[component]
pub fn QrImage(uri: String, #[prop(into)] alt: Signal<String>) -> impl IntoView {
    let svg = qr_svg(&uri).unwrap_or_default();
    view! { <div class="qr" role="img" aria-label=move || alt.get() inner_html=svg></div> }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URI: &str = "otpauth://totp/TwoStep:member@demo.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=TwoStep&algorithm=SHA1&digits=6&period=30";

    /// Redraws the path onto a grid, to check it covers exactly the dark modules.
    fn rasterise(svg: &str, size: usize) -> Vec<bool> {
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut grid = vec![false; size * size];
        let (mut x, mut y) = (0i64, 0i64);
        for run in d.split('z').filter(|r| !r.is_empty()) {
            let run = run.strip_prefix('m').unwrap();
            let (mv, rest) = run.split_once('h').unwrap();
            let (dx, dy) = mv.split_once(',').unwrap();
            x += dx.parse::<i64>().unwrap();
            y += dy.parse::<i64>().unwrap();
            let len: usize = rest.split_once('v').unwrap().0.parse().unwrap();
            for i in 0..len {
                grid[y as usize * size + x as usize + i] = true;
            }
        }
        grid
    }

    #[test]
    fn the_path_draws_exactly_the_dark_modules() {
        let svg = qr_svg(URI).unwrap();
        let code = QrCode::with_error_correction_level(URI.as_bytes(), EcLevel::M).unwrap();
        let width = code.width();
        let size = width + 2 * QUIET_ZONE;
        assert!(svg.contains(&format!("viewBox=\"0 0 {size} {size}\"")));
        let grid = rasterise(&svg, size);
        let colors = code.to_colors();
        for y in 0..size {
            for x in 0..size {
                let inside = (QUIET_ZONE..QUIET_ZONE + width).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + width).contains(&y);
                let dark =
                    inside && colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)] == Color::Dark;
                assert_eq!(grid[y * size + x], dark, "module {x},{y}");
            }
        }
    }

    #[test]
    fn one_path_a_few_kilobytes() {
        let svg = qr_svg(URI).unwrap();
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.len() < 10_000, "{} bytes", svg.len());
    }
}
