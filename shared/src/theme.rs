//! Themes as data: one `themes/<id>.json` file per theme names every design
//! token (colours, fonts, radii, shadows, the hero gradient, background and
//! prize art, the wheel's colours, the spin duration) and [`css`] turns the
//! themes into `[data-theme="<id>"]` blocks of CSS custom properties. The
//! player's stylesheet reads only `var(--…)`; its `:root` block is the
//! built-in fallback and equals the `double11` theme.
//!
//! [`Theme::check`] is what makes a theme "finished": every token of
//! [`TOKENS`] present and no other, every value of the right form, and the
//! text colours readable on the backgrounds they are shown on
//! ([`CONTRAST_PAIRS`], WCAG 2.x contrast). Gradients are checked stop by
//! stop, translucent colours composited over what lies beneath them.
//!
//! Pure and dependency-free beyond serde, so it compiles to wasm32 as well.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

/// Every token a theme sets, as CSS custom property names without `--`.
pub const TOKENS: &[&str] = &[
    // Page and components.
    "color-bg",
    "color-bg-accent",
    "color-surface",
    "color-text",
    "color-text-muted",
    "color-primary",
    "color-on-primary",
    "color-accent",
    "color-on-accent",
    "color-border",
    "color-hero-text",
    "color-hero-overlay",
    "color-backdrop",
    // Type.
    "font-body",
    "font-display",
    "font-mono",
    // Shape.
    "radius-card",
    "radius-button",
    "radius-hero",
    "radius-tile",
    "radius-inset",
    "radius-chip",
    "radius-ticket",
    "shadow-card",
    "shadow-button",
    "shadow-pointer",
    "shadow-egg",
    // Images.
    "hero-gradient",
    "bg-image",
    "prize-art",
    // 大转盘 and 九宫格.
    "wheel-a",
    "wheel-b",
    "wheel-thanks",
    "wheel-line",
    "wheel-rim",
    "wheel-text",
    // 砸金蛋.
    "egg-light",
    "egg-a",
    "egg-b",
    "egg-crack",
    // 老虎机.
    "slot-reel",
    "slot-edge",
    // 刮刮乐 (the coating the app paints on its canvas).
    "scratch-cover",
    "scratch-cover-line",
    "scratch-cover-text",
    // Motion.
    "spin-duration",
];

/// Text that must stay readable: (foreground, background, minimum ratio).
///
/// 4.5 is WCAG AA for body text, 3.0 for large text only (≥ 24px, or
/// ≥ 18.66px bold). A foreground may carry an opacity (`"color-hero-text /
/// 0.85"`: the hero's eyebrow is drawn at 85 %), and a background may be a
/// translucent colour over another (`"color-hero-overlay over
/// hero-gradient"`); a gradient background is checked against every stop.
pub const CONTRAST_PAIRS: &[(&str, &str, f64)] = &[
    // Body text, secondary text, code chips, empty states, the loading line.
    ("color-text", "color-bg", 4.5),
    ("color-text", "color-surface", 4.5),
    ("color-text-muted", "color-bg", 4.5),
    ("color-text-muted", "color-surface", 4.5),
    // Secondary buttons, "复制", the warning pill, the result title, the scratched prize.
    ("color-primary", "color-surface", 4.5),
    // Buttons: 16px semibold labels.
    ("color-on-primary", "color-primary", 4.5),
    // Badges, the avatar, the slot machine's button.
    ("color-on-accent", "color-accent", 4.5),
    // The hero: the title, the 14px eyebrow at 85 % and the dates at 90 %.
    ("color-hero-text", "hero-gradient", 4.5),
    ("color-hero-text / 0.85", "hero-gradient", 4.5),
    // The player pill in the hero (14px).
    (
        "color-hero-text",
        "color-hero-overlay over hero-gradient",
        4.5,
    ),
    // Prize names on the wheel's segments and the nine-grid's cells (14px bold).
    ("wheel-text", "wheel-a", 4.5),
    ("wheel-text", "wheel-b", 4.5),
    ("wheel-text", "wheel-thanks", 4.5),
    // The nine-grid's lit cell.
    ("wheel-text", "color-accent", 4.5),
    // Reel symbols: 20px extra-bold.
    ("wheel-text", "slot-reel", 3.0),
    // "刮 一 刮" on the coating: 22px bold.
    ("scratch-cover-text", "scratch-cover", 3.0),
];

/// Colour tokens that may be translucent (they are always drawn over
/// something the contrast check knows). Every other colour must be opaque.
pub const TRANSLUCENT_OK: &[&str] = &["color-hero-overlay", "color-backdrop"];

/// Largest value of an image token (`bg-image`, `prize-art`), in bytes.
pub const MAX_IMAGE_BYTES: usize = 1600;

/// Largest value of any other token, in bytes.
pub const MAX_VALUE_BYTES: usize = 240;

/// What a token's value is, which decides how it is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `#rgb`, `#rrggbb` (or with alpha), `rgb()`/`rgba()`.
    Color,
    /// A CSS gradient whose stops are all opaque colours (text sits on it).
    Gradient,
    /// `none`, gradients and `url("data:image/svg+xml,…")` layers.
    Image,
    /// A font stack ending in a generic family.
    Font,
    /// A length: `16px`, `1.5rem`, `50%`, `0`.
    Length,
    /// `none` or box shadows.
    Shadow,
    /// A time: `4.2s`, `300ms`.
    Duration,
}

/// The kind of a token, by its name; `None` for a name outside the scheme.
pub fn kind(token: &str) -> Option<Kind> {
    let prefixed = |p: &str| token.starts_with(p);
    Some(match token {
        "hero-gradient" => Kind::Gradient,
        "bg-image" | "prize-art" => Kind::Image,
        "spin-duration" => Kind::Duration,
        _ if prefixed("color-")
            || prefixed("wheel-")
            || prefixed("egg-")
            || prefixed("slot-")
            || prefixed("scratch-") =>
        {
            Kind::Color
        }
        _ if prefixed("font-") => Kind::Font,
        _ if prefixed("radius-") => Kind::Length,
        _ if prefixed("shadow-") => Kind::Shadow,
        _ => return None,
    })
}

/// One theme, as stored in `themes/<id>.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Lower-case letters, digits and `_`; the file name and the value of
    /// `data-theme`.
    pub id: String,
    /// The name a Chinese console shows.
    pub name_zh: String,
    /// The name an English console shows.
    pub name_en: String,
    /// A dark page (light text): the browser gets `color-scheme: dark`.
    pub dark: bool,
    /// Whether the games play sounds by default (`--sounds: on|off`).
    pub sounds: bool,
    /// Token name (without `--`) → CSS value.
    pub tokens: BTreeMap<String, String>,
}

/// What `GET /api/v1/themes` lists for each theme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThemeSummary {
    /// The value of `data-theme`.
    pub id: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// A dark page.
    pub dark: bool,
    /// Sounds on by default.
    pub sounds: bool,
}

impl Theme {
    /// The theme's entry in a list.
    pub fn summary(&self) -> ThemeSummary {
        ThemeSummary {
            id: self.id.clone(),
            name_zh: self.name_zh.clone(),
            name_en: self.name_en.clone(),
            dark: self.dark,
            sounds: self.sounds,
        }
    }

    /// Every problem of this theme, or `Ok` when it is complete, well formed
    /// and readable.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if !valid_id(&self.id) {
            errors.push(format!(
                "id {:?}: 1–32 lower-case letters, digits and _",
                self.id
            ));
        }
        if self.name_zh.trim().is_empty() {
            errors.push("name_zh is empty".to_owned());
        }
        if self.name_en.trim().is_empty() {
            errors.push("name_en is empty".to_owned());
        }
        for token in TOKENS {
            if !self.tokens.contains_key(*token) {
                errors.push(format!("missing token --{token}"));
            }
        }
        for (token, value) in &self.tokens {
            match kind(token).filter(|_| TOKENS.contains(&token.as_str())) {
                None => errors.push(format!("unknown token --{token}")),
                Some(kind) => {
                    if let Err(e) = check_value(token, kind, value) {
                        errors.push(format!("--{token}: {e}"));
                    }
                }
            }
        }
        if let Some(bg) = self.color("color-bg") {
            let looks_dark = bg.luminance() < DARK_BELOW;
            if looks_dark != self.dark {
                errors.push(format!(
                    "dark is {} but --color-bg ({}) is {}",
                    self.dark,
                    self.tokens["color-bg"],
                    if looks_dark { "dark" } else { "light" }
                ));
            }
        }
        for &(fg, bg, min) in CONTRAST_PAIRS {
            match self.contrast_of(fg, bg) {
                Ok((ratio, _)) if ratio + 1e-9 >= min => {}
                Ok((ratio, at)) => {
                    errors.push(format!("contrast of {fg} on {bg}{at}: {ratio:.2} < {min}"))
                }
                Err(e) => errors.push(format!("contrast of {fg} on {bg}: {e}")),
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The lowest contrast of a [`CONTRAST_PAIRS`] foreground on a
    /// background over all of the background's colours, with a note of
    /// where it is lowest (`" (at #c41824)"`) when there are several.
    pub fn contrast_of(&self, fg: &str, bg: &str) -> Result<(f64, String), String> {
        let (fg_token, opacity) = match fg.split_once('/') {
            Some((token, alpha)) => {
                let alpha: f64 = alpha
                    .trim()
                    .parse()
                    .map_err(|_| format!("bad opacity in {fg:?}"))?;
                (token.trim(), alpha.clamp(0.0, 1.0))
            }
            None => (fg.trim(), 1.0),
        };
        let fg_color = self
            .color(fg_token)
            .ok_or_else(|| format!("--{fg_token} is not a colour"))?;
        let (top, below) = match bg.split_once(" over ") {
            Some((top, below)) => (Some(top.trim()), below.trim()),
            None => (None, bg.trim()),
        };
        let value = self
            .tokens
            .get(below)
            .ok_or_else(|| format!("--{below} is missing"))?;
        let mut stops = colors_in(value)?;
        if stops.is_empty() {
            return Err(format!("--{below} has no colour"));
        }
        if let Some(top) = top {
            let top = self
                .color(top)
                .ok_or_else(|| format!("--{top} is not a colour"))?;
            stops = stops.into_iter().map(|c| top.over(c.opaque())).collect();
        }
        let several = stops.len() > 1;
        let mut worst: Option<(f64, String)> = None;
        for stop in stops {
            let stop = stop.opaque();
            let text = fg_color.with_alpha(fg_color.a * opacity).over(stop);
            let ratio = contrast(text, stop);
            if worst.as_ref().is_none_or(|(w, _)| ratio < *w) {
                let at = if several {
                    format!(" (at {})", stop.hex())
                } else {
                    String::new()
                };
                worst = Some((ratio, at));
            }
        }
        worst.ok_or_else(|| format!("--{below} has no colour"))
    }

    /// A colour token's value, parsed.
    pub fn color(&self, token: &str) -> Option<Color> {
        self.tokens.get(token).and_then(|v| Color::parse(v))
    }
}

/// Below this relative luminance a page background counts as dark.
const DARK_BELOW: f64 = 0.18;

fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether a value can go into a declaration as it is: nothing that ends
/// the declaration or the block, no escapes, no references to other
/// properties (a theme stands alone).
fn safe_value(value: &str) -> bool {
    !value.is_empty()
        && !value
            .chars()
            .any(|c| matches!(c, '{' | '}' | ';' | '\\' | '\n' | '\r') || c.is_control())
        && !value.contains("var(")
        && !value.contains("!important")
        && !value.contains("/*")
        && !value.contains("expression(")
}

fn check_value(token: &str, kind: Kind, value: &str) -> Result<(), String> {
    let limit = if kind == Kind::Image {
        MAX_IMAGE_BYTES
    } else {
        MAX_VALUE_BYTES
    };
    if value.len() > limit {
        return Err(format!("{} bytes, more than {limit}", value.len()));
    }
    if !safe_value(value.trim()) {
        return Err(format!(
            "{value:?} is empty or has {{ }} ; \\ a newline, var(), /* or !important"
        ));
    }
    let value = value.trim();
    match kind {
        Kind::Color => {
            let color = Color::parse(value).ok_or_else(|| format!("{value:?} is not a colour"))?;
            if color.a < 1.0 && !TRANSLUCENT_OK.contains(&token) {
                return Err(format!("{value:?} is translucent"));
            }
            Ok(())
        }
        Kind::Gradient => {
            if !GRADIENTS
                .iter()
                .any(|g| value.starts_with(&format!("{g}(")))
            {
                return Err(format!("{value:?} is not a gradient"));
            }
            let stops = colors_in(value)?;
            if stops.len() < 2 {
                return Err("a gradient needs two colour stops".to_owned());
            }
            if stops.iter().any(|c| c.a < 1.0) {
                return Err("text sits on it: every stop must be opaque".to_owned());
            }
            only_words(value, GRADIENT_WORDS)
        }
        Kind::Image => match check_image(value)? {
            // The prize art is one layer of a `background` shorthand.
            n if n > 1 && token == "prize-art" => Err(format!("{n} images, at most one")),
            0 => Err(format!("{value:?} has no image")),
            _ => Ok(()),
        },
        Kind::Font => check_font(value),
        Kind::Length => {
            if value == "0" || number_with_unit(value, &["px", "rem", "em", "%"]) {
                Ok(())
            } else {
                Err(format!("{value:?} is not a length"))
            }
        }
        Kind::Shadow => {
            if value == "none" {
                return Ok(());
            }
            if colors_in(value)?.is_empty() {
                return Err(format!("{value:?}: a shadow names its colour"));
            }
            only_words(value, &["inset", "px", "em", "rem"])
        }
        Kind::Duration => {
            if number_with_unit(value, &["s", "ms"]) {
                Ok(())
            } else {
                Err(format!("{value:?} is not a time"))
            }
        }
    }
}

const GRADIENTS: &[&str] = &[
    "linear-gradient",
    "radial-gradient",
    "repeating-linear-gradient",
    "repeating-radial-gradient",
];

/// Words a gradient may use besides its colours and numbers.
const GRADIENT_WORDS: &[&str] = &[
    "linear-gradient",
    "radial-gradient",
    "repeating-linear-gradient",
    "repeating-radial-gradient",
    "to",
    "at",
    "top",
    "bottom",
    "left",
    "right",
    "center",
    "circle",
    "ellipse",
    "closest-side",
    "closest-corner",
    "farthest-side",
    "farthest-corner",
    "deg",
    "turn",
    "px",
    "em",
    "rem",
    "vw",
    "vh",
];

fn number_with_unit(value: &str, units: &[&str]) -> bool {
    units.iter().any(|unit| {
        value.strip_suffix(unit).is_some_and(|n| {
            !n.is_empty()
                && n.parse::<f64>().is_ok_and(|x| x.is_finite() && x >= 0.0)
                && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        })
    })
}

/// Every word of `value` (outside its colours) is in `allowed`: a named
/// colour such as `white` would escape the contrast check, so it is refused.
fn only_words(value: &str, allowed: &[&str]) -> Result<(), String> {
    let stripped = strip_colors(value);
    for word in stripped
        .split(|c: char| !(c.is_ascii_alphabetic() || c == '-'))
        .map(|w| w.trim_matches('-'))
        .filter(|w| !w.is_empty())
    {
        if !allowed.contains(&word) {
            return Err(format!(
                "unexpected {word:?} (colours are #hex or rgb()/rgba())"
            ));
        }
    }
    Ok(())
}

/// Checks an image value; the number of layers it has.
fn check_image(value: &str) -> Result<usize, String> {
    if value == "none" {
        return Ok(1);
    }
    // Take the `url("…")` layers out, checking each; what is left is gradients.
    let mut rest = String::new();
    let mut tail = value;
    while let Some(start) = tail.find("url(") {
        rest.push_str(&tail[..start]);
        let after = &tail[start + 4..];
        let Some(body) = after.strip_prefix('"') else {
            return Err("write images as url(\"data:image/svg+xml,…\")".to_owned());
        };
        let Some(end) = body.find("\")") else {
            return Err("an unterminated url(\"…\")".to_owned());
        };
        check_svg(&body[..end])?;
        tail = &body[end + 2..];
    }
    rest.push_str(tail);
    let mut words: Vec<&str> = GRADIENT_WORDS.to_vec();
    words.push("transparent");
    only_words(&rest, &words)?;
    colors_in(&rest)?;
    Ok(value.matches("url(").count() + rest.matches("gradient(").count())
}

/// An inline SVG: self-contained, and written so that it survives being a
/// data URI inside a double-quoted CSS string.
fn check_svg(uri: &str) -> Result<(), String> {
    let Some(svg) = uri.strip_prefix("data:image/svg+xml,") else {
        return Err("only inline data:image/svg+xml images".to_owned());
    };
    if !svg.starts_with("<svg") || !svg.ends_with("</svg>") {
        return Err("the data URI holds one <svg>…</svg>".to_owned());
    }
    if !svg.contains("xmlns='http://www.w3.org/2000/svg'") {
        return Err("the <svg> needs xmlns='http://www.w3.org/2000/svg'".to_owned());
    }
    if svg.contains('"') {
        return Err("use ' inside the SVG (\" ends the CSS string)".to_owned());
    }
    if svg.contains('#') {
        return Err("write # as %23 in a data URI".to_owned());
    }
    let lower = svg.to_ascii_lowercase();
    let handler = lower.split([' ', '<', '\'']).any(|word| {
        word.strip_prefix("on").is_some_and(|rest| {
            rest.split_once('=').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase())
            })
        })
    });
    if handler
        || ["<script", "href", "<foreignobject", "<image"]
            .iter()
            .any(|bad| lower.contains(bad))
    {
        return Err("no scripts, links, images or handlers in the SVG".to_owned());
    }
    Ok(())
}

/// Generic families a font stack may end with.
const GENERIC_FAMILIES: &[&str] = &[
    "serif",
    "sans-serif",
    "monospace",
    "cursive",
    "fantasy",
    "system-ui",
    "ui-serif",
    "ui-sans-serif",
    "ui-monospace",
    "ui-rounded",
    "math",
];

fn check_font(value: &str) -> Result<(), String> {
    let families: Vec<&str> = value.split(',').map(str::trim).collect();
    for family in &families {
        let quoted = family.len() >= 2 && family.starts_with('"') && family.ends_with('"');
        let inner = if quoted {
            &family[1..family.len() - 1]
        } else {
            family
        };
        let ok = !inner.is_empty()
            && !inner.contains('"')
            && (quoted
                || inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' '));
        if !ok {
            return Err(format!("font family {family:?}: quote names with spaces"));
        }
    }
    match families.last() {
        Some(last) if GENERIC_FAMILIES.contains(last) => Ok(()),
        _ => Err(format!(
            "{value:?} must end with a generic family (sans-serif, serif, …)"
        )),
    }
}

/// An sRGB colour, channels 0–255 (fractional after compositing), alpha 0–1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Color {
    /// Red.
    pub r: f64,
    /// Green.
    pub g: f64,
    /// Blue.
    pub b: f64,
    /// Opacity.
    pub a: f64,
}

impl Color {
    /// An opaque colour.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color {
            r: r as f64,
            g: g as f64,
            b: b as f64,
            a: 1.0,
        }
    }

    /// Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(r, g, b)`,
    /// `rgba(r, g, b, a)` and the space syntax `rgb(r g b / a)`.
    pub fn parse(value: &str) -> Option<Color> {
        let value = value.trim();
        if let Some(hex) = value.strip_prefix('#') {
            if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok().map(|d| d * 17);
            let pair = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            let (r, g, b, a) = match hex.len() {
                3 => (digit(0)?, digit(1)?, digit(2)?, 255),
                4 => (digit(0)?, digit(1)?, digit(2)?, digit(3)?),
                6 => (pair(0)?, pair(2)?, pair(4)?, 255),
                8 => (pair(0)?, pair(2)?, pair(4)?, pair(6)?),
                _ => return None,
            };
            return Some(Color::rgb(r, g, b).with_alpha(f64::from(a) / 255.0));
        }
        let lower = value.to_ascii_lowercase();
        let args = lower
            .strip_prefix("rgba(")
            .or_else(|| lower.strip_prefix("rgb("))?
            .strip_suffix(')')?;
        let parts: Vec<&str> = args
            .split([',', ' ', '/'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let channel = |p: &str| -> Option<f64> {
            let x = match p.strip_suffix('%') {
                Some(pct) => pct.parse::<f64>().ok()? * 2.55,
                None => p.parse::<f64>().ok()?,
            };
            (x.is_finite() && (0.0..=255.0).contains(&x)).then_some(x)
        };
        let alpha = |p: &str| -> Option<f64> {
            let x = match p.strip_suffix('%') {
                Some(pct) => pct.parse::<f64>().ok()? / 100.0,
                None => p.parse::<f64>().ok()?,
            };
            (x.is_finite() && (0.0..=1.0).contains(&x)).then_some(x)
        };
        let (r, g, b, a) = match parts.as_slice() {
            [r, g, b] => (channel(r)?, channel(g)?, channel(b)?, 1.0),
            [r, g, b, a] => (channel(r)?, channel(g)?, channel(b)?, alpha(a)?),
            _ => return None,
        };
        Some(Color { r, g, b, a })
    }

    /// The same colour with opacity `a`.
    pub fn with_alpha(self, a: f64) -> Color {
        Color { a, ..self }
    }

    /// The same colour, opaque.
    pub fn opaque(self) -> Color {
        self.with_alpha(1.0)
    }

    /// This colour drawn over `below` (source-over, in sRGB as browsers
    /// blend). The result is as opaque as `below` would make it.
    pub fn over(self, below: Color) -> Color {
        let a = self.a + below.a * (1.0 - self.a);
        if a <= 0.0 {
            return Color {
                r: 0.0,
                g: 0.0,
                b: 0.0,
                a: 0.0,
            };
        }
        let mix = |top: f64, bottom: f64| (top * self.a + bottom * below.a * (1.0 - self.a)) / a;
        Color {
            r: mix(self.r, below.r),
            g: mix(self.g, below.g),
            b: mix(self.b, below.b),
            a,
        }
    }

    /// WCAG 2.x relative luminance (alpha ignored).
    pub fn luminance(self) -> f64 {
        let linear = |c: f64| {
            let c = c / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.r) + 0.7152 * linear(self.g) + 0.0722 * linear(self.b)
    }

    /// `#rrggbb` (rounded, alpha dropped).
    pub fn hex(self) -> String {
        let byte = |c: f64| c.round().clamp(0.0, 255.0) as u8;
        format!(
            "#{:02x}{:02x}{:02x}",
            byte(self.r),
            byte(self.g),
            byte(self.b)
        )
    }
}

/// The WCAG 2.x contrast ratio of two opaque colours, from 1 to 21.
pub fn contrast(a: Color, b: Color) -> f64 {
    let (la, lb) = (a.luminance(), b.luminance());
    let (hi, lo) = if la >= lb { (la, lb) } else { (lb, la) };
    (hi + 0.05) / (lo + 0.05)
}

/// The contrast of two colours written as CSS (`#777`, `#ffffff`).
pub fn contrast_str(a: &str, b: &str) -> Option<f64> {
    Some(contrast(Color::parse(a)?, Color::parse(b)?))
}

/// Every colour written in a value (`#…`, `rgb(…)`, `rgba(…)`), in order;
/// an error for one that does not parse or a colour function this module
/// cannot check (`hsl()`, `color()`, …).
pub fn colors_in(value: &str) -> Result<Vec<Color>, String> {
    let mut colors = Vec::new();
    for (start, end) in color_spans(value)? {
        let text = &value[start..end];
        colors.push(Color::parse(text).ok_or_else(|| format!("{text:?} is not a colour"))?);
    }
    Ok(colors)
}

/// The byte ranges of the colours in a value.
fn color_spans(value: &str) -> Result<Vec<(usize, usize)>, String> {
    let lower = value.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' {
            let mut end = i + 1;
            while end < bytes.len() && bytes[end].is_ascii_alphanumeric() {
                end += 1;
            }
            spans.push((i, end));
            i = end;
            continue;
        }
        let starts_word = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'-');
        let function = COLOR_FUNCTIONS
            .iter()
            .find(|f| starts_word && bytes[i..].starts_with(f.as_bytes()));
        if let Some(function) = function {
            if !function.starts_with("rgb") {
                return Err(format!(
                    "{}) cannot be checked: write colours as #hex or rgb()",
                    &function[..function.len() - 1]
                ));
            }
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b')')
                .map(|e| i + e + 1)
                .ok_or_else(|| "an unclosed rgb(".to_owned())?;
            spans.push((i, end));
            i = end;
            continue;
        }
        i += 1;
    }
    Ok(spans)
}

/// Colour functions: `rgb()`/`rgba()` are read, the others refused.
const COLOR_FUNCTIONS: &[&str] = &[
    "rgba(", "rgb(", "hsla(", "hsl(", "hwb(", "lab(", "lch(", "oklab(", "oklch(", "color(",
];

/// `value` with its colours blanked out.
fn strip_colors(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut last = 0;
    for (start, end) in color_spans(value).unwrap_or_default() {
        out.push_str(&value[last..start]);
        out.push(' ');
        last = end;
    }
    out.push_str(&value[last..]);
    out
}

/// The stylesheet of `themes`: per theme one
/// `:root[data-theme="<id>"],[data-theme="<id>"]{…}` block of its tokens (in
/// [`TOKENS`] order), then the reduced-motion override.
///
/// `:root[…]` outranks the player stylesheet's own `:root` fallback whatever
/// order the two sheets load in; the bare `[data-theme]` lets a console
/// preview a theme on any element. Themes with an invalid id and values
/// that could break out of their declaration are left out (run
/// [`Theme::check`] before serving).
pub fn css(themes: &[Theme]) -> String {
    let mut out = String::from(
        "/* Huodong themes: generated from themes/*.json. Set data-theme on <html>. */\n",
    );
    for theme in themes.iter().filter(|t| valid_id(&t.id)) {
        let id = &theme.id;
        let _ = write!(out, ":root[data-theme=\"{id}\"],[data-theme=\"{id}\"]{{");
        if theme.dark {
            out.push_str("color-scheme:dark;");
        }
        let _ = write!(out, "--sounds:{};", if theme.sounds { "on" } else { "off" });
        for token in TOKENS {
            if let Some(value) = theme.tokens.get(*token).map(|v| v.trim())
                && safe_value(value)
            {
                let _ = write!(out, "--{token}:{value};");
            }
        }
        out.push_str("}\n");
    }
    out.push_str(
        "@media (prefers-reduced-motion: reduce){:root[data-theme],[data-theme]{--spin-duration:0.01s}}\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const THEMES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../themes");
    const MAIN_CSS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/style/main.css");

    /// Every `themes/*.json`, with its file stem.
    fn load() -> Vec<(String, Theme)> {
        let mut themes = Vec::new();
        for entry in std::fs::read_dir(THEMES_DIR).expect("themes/ exists") {
            let path = entry.expect("readable entry").path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 file name")
                .to_owned();
            let text = std::fs::read_to_string(&path).expect("readable theme");
            let theme: Theme =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            themes.push((stem, theme));
        }
        themes.sort_by(|a, b| a.0.cmp(&b.0));
        themes
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 0.01
    }

    #[test]
    fn contrast_matches_hand_computed_values() {
        let c = |a, b| contrast_str(a, b).expect("colours");
        assert!(close(c("#000", "#fff"), 21.0));
        assert!(close(c("#ffffff", "#000000"), 21.0));
        assert!(close(c("#fff", "#fff"), 1.0));
        // #777: channel 0x77 = 119 → 0.4667 → linear 0.1845 = L; (1.05)/(0.2345) = 4.478.
        assert!(close(c("#777", "#fff"), 4.478));
        assert!(c("#777", "#fff") < 4.5);
        // #767676 is the lightest grey that passes AA on white: 4.54.
        assert!(close(c("#767676", "#ffffff"), 4.54));
        // Pure red on white: L = 0.2126 → 1.05 / 0.2626 = 3.998.
        assert!(close(c("#f00", "#fff"), 3.998));
        // Order does not matter.
        assert_eq!(c("#c8102e", "#fff4e6"), c("#fff4e6", "#c8102e"));
    }

    #[test]
    fn colours_parse_in_every_written_form() {
        assert_eq!(Color::parse("#fff"), Some(Color::rgb(255, 255, 255)));
        assert_eq!(Color::parse("#C8102E"), Some(Color::rgb(200, 16, 46)));
        assert_eq!(
            Color::parse("rgb(200, 16, 46)"),
            Some(Color::rgb(200, 16, 46))
        );
        let backdrop = Color::parse("rgba(30, 10, 10, 0.55)").expect("rgba");
        assert!(close(backdrop.a, 0.55));
        assert_eq!(Color::parse("rgb(30 10 10 / 0.5)").map(|c| c.a), Some(0.5));
        assert!(close(
            Color::parse("#0008").expect("#rgba").a,
            136.0 / 255.0
        ));
        for bad in [
            "#ff",
            "#fffff",
            "#ggg",
            "red",
            "rgb(1,2)",
            "rgb(300,0,0)",
            "",
        ] {
            assert_eq!(Color::parse(bad), None, "{bad}");
        }
        let stops =
            colors_in("linear-gradient(160deg, #e0262f 0%, rgba(1, 2, 3, 0.5) 60%, #8c0a18 100%)")
                .expect("stops");
        assert_eq!(stops.len(), 3);
        assert!(colors_in("linear-gradient(#fff, hsl(0 0% 0%))").is_err());
    }

    #[test]
    fn translucent_colours_are_composited_before_measuring() {
        // White at 50 % over black is #808080 (sRGB blending, as browsers do).
        let grey = Color::rgb(255, 255, 255)
            .with_alpha(0.5)
            .over(Color::rgb(0, 0, 0));
        assert_eq!(grey.hex(), "#808080");
        assert!(close(grey.a, 1.0));
        // So white text at 50 % on black is about as readable as #808080 on black.
        let theme = double11();
        let (full, _) = theme
            .contrast_of("color-hero-text", "hero-gradient")
            .expect("pair");
        let (dimmed, _) = theme
            .contrast_of("color-hero-text / 0.85", "hero-gradient")
            .expect("pair");
        assert!(dimmed < full);
    }

    #[test]
    fn a_gradient_is_checked_at_every_stop() {
        let mut theme = double11();
        theme.tokens.insert(
            "hero-gradient".into(),
            "linear-gradient(160deg, #b00c1f 0%, #ffd0d0 50%, #8c0a18 100%)".into(),
        );
        let errors = theme.check().expect_err("a pale stop under white text");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("color-hero-text on hero-gradient (at #ffd0d0)")),
            "{errors:?}"
        );
    }

    #[test]
    fn check_lists_every_kind_of_problem() {
        let mut theme = double11();
        theme.tokens.remove("wheel-a");
        theme.tokens.insert("colour-bg".into(), "#fff".into());
        theme
            .tokens
            .insert("color-text-muted".into(), "#aaaaaa".into());
        theme.tokens.insert("color-border".into(), "#12".into());
        theme.tokens.insert("radius-card".into(), "big".into());
        theme
            .tokens
            .insert("font-display".into(), "Songti SC".into());
        theme
            .tokens
            .insert("color-surface".into(), "var(--x)".into());
        theme
            .tokens
            .insert("shadow-card".into(), "0 1px 2px black".into());
        theme.tokens.insert(
            "bg-image".into(),
            "url(\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'><circle fill='#fff'/></svg>\")".into(),
        );
        let errors = theme.check().expect_err("broken");
        let has = |needle: &str| errors.iter().any(|e| e.contains(needle));
        assert!(has("missing token --wheel-a"), "{errors:?}");
        assert!(has("unknown token --colour-bg"), "{errors:?}");
        assert!(has("--color-border: \"#12\" is not a colour"), "{errors:?}");
        assert!(has("--radius-card"), "{errors:?}");
        assert!(has("--font-display"), "{errors:?}");
        assert!(has("--color-surface"), "{errors:?}");
        assert!(has("--shadow-card"), "{errors:?}");
        assert!(has("%23"), "{errors:?}");
        assert!(
            has("contrast of color-text-muted on color-bg: 2."),
            "the ratio is reported: {errors:?}"
        );
    }

    #[test]
    fn every_kind_is_known_and_no_token_repeats() {
        let mut seen = std::collections::HashSet::new();
        for token in TOKENS {
            assert!(kind(token).is_some(), "{token} has no kind");
            assert!(seen.insert(*token), "{token} twice");
        }
        for (fg, bg, min) in CONTRAST_PAIRS {
            for side in [fg.split('/').next(), Some(*bg)]
                .into_iter()
                .flatten()
                .flat_map(|s| s.split(" over "))
            {
                assert!(TOKENS.contains(&side.trim()), "{side} is not a token");
            }
            assert!(*min == 3.0 || *min == 4.5);
        }
    }

    fn double11() -> Theme {
        load()
            .into_iter()
            .find(|(_, t)| t.id == "double11")
            .expect("themes/double11.json")
            .1
    }

    #[test]
    fn the_twelve_themes_are_there_named_after_their_files() {
        let themes = load();
        assert!(themes.len() >= 12, "{} themes", themes.len());
        let mut ids = std::collections::HashSet::new();
        for (stem, theme) in &themes {
            assert_eq!(stem, &theme.id, "file name and id");
            assert!(ids.insert(theme.id.clone()), "{} twice", theme.id);
        }
        for id in [
            "spring_festival",
            "mid_autumn",
            "double11",
            "christmas",
            "valentine",
            "summer",
            "minimal_light",
            "minimal_dark",
            "luxury_gold",
            "kids",
            "sports",
            "corporate_blue",
        ] {
            assert!(ids.contains(id), "themes/{id}.json");
        }
    }

    #[test]
    fn every_theme_is_complete_and_readable() {
        let mut failures = Vec::new();
        for (_, theme) in load() {
            if let Err(errors) = theme.check() {
                failures.push(format!("{}:\n  {}", theme.id, errors.join("\n  ")));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn themes_are_distinct() {
        let themes = load();
        for (i, (_, a)) in themes.iter().enumerate() {
            for (_, b) in &themes[i + 1..] {
                let same = ["color-bg", "color-primary", "hero-gradient", "color-accent"]
                    .iter()
                    .filter(|t| a.tokens.get(**t) == b.tokens.get(**t))
                    .count();
                assert!(same < 3, "{} and {} look alike", a.id, b.id);
            }
        }
    }

    #[test]
    fn css_has_a_block_per_theme_with_every_token() {
        let themes: Vec<Theme> = load().into_iter().map(|(_, t)| t).collect();
        let css = css(&themes);
        for theme in &themes {
            let head = format!(":root[data-theme=\"{0}\"],[data-theme=\"{0}\"]{{", theme.id);
            let start = css
                .find(&head)
                .unwrap_or_else(|| panic!("block of {}", theme.id));
            let block = &css[start..start + css[start..].find('}').expect("closed block")];
            for token in TOKENS {
                let decl = format!("--{token}:{};", theme.tokens[*token].trim());
                assert!(block.contains(&decl), "{}: {decl}", theme.id);
            }
            assert_eq!(
                block.contains("color-scheme:dark;"),
                theme.dark,
                "{}",
                theme.id
            );
        }
        assert_eq!(css.matches('{').count(), css.matches('}').count());
        // The reduced-motion override comes after every theme.
        let reduced = css.find("prefers-reduced-motion").expect("reduced motion");
        assert!(css[reduced..].find("data-theme=").is_none());
    }

    #[test]
    fn css_leaves_out_what_could_break_out() {
        let mut theme = double11();
        theme.id = "x\"]{}".into();
        assert!(!css(std::slice::from_ref(&theme)).contains("x\""));
        let mut theme = double11();
        theme
            .tokens
            .insert("color-bg".into(), "red;}body{display:none".into());
        let out = css(&[theme]);
        assert!(!out.contains("display:none"));
        assert!(out.contains("--color-text:"));
    }

    /// The `:root` block of the player's stylesheet: token → value.
    fn main_css_root(css: &str) -> BTreeMap<String, String> {
        let start = css.find(":root {").expect(":root in main.css");
        let end = start + css[start..].find('}').expect("closed :root");
        css[start + 7..end]
            .split(';')
            .filter_map(|decl| {
                let (name, value) = decl.split_once(':')?;
                Some((
                    name.trim().strip_prefix("--")?.to_owned(),
                    value.trim().to_owned(),
                ))
            })
            .collect()
    }

    #[test]
    fn the_stylesheet_fallback_is_the_double11_theme() {
        let css = std::fs::read_to_string(MAIN_CSS).expect("app/style/main.css");
        assert_eq!(main_css_root(&css), double11().tokens);
    }

    /// CSS without its comments.
    fn uncommented(css: &str) -> String {
        let mut out = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            out.push_str(&rest[..start]);
            rest = rest[start..]
                .find("*/")
                .map_or("", |end| &rest[start + end + 2..]);
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn the_stylesheets_read_only_tokens_and_hard_code_no_design() {
        let css = uncommented(&std::fs::read_to_string(MAIN_CSS).expect("app/style/main.css"));
        let root_end = css.find(":root {").expect(":root")
            + css[css.find(":root {").expect(":root")..]
                .find('}')
                .expect("}");
        only_tokens(&css, &css[root_end..]);
        let kinds = uncommented(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../app/style/kinds.css"
            ))
            .expect("app/style/kinds.css"),
        );
        assert!(!kinds.contains(":root"), "kinds.css sets no tokens");
        only_tokens(&kinds, &kinds);
    }

    /// `css` reads only tokens; `rules` (its part outside `:root`) hard-codes
    /// no colour, font, shadow or radius.
    fn only_tokens(css: &str, rules: &str) {
        // Every var(--x) is a token.
        for (i, _) in css.match_indices("var(--") {
            let name: String = css[i + 6..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            assert!(
                TOKENS.contains(&name.as_str()),
                "var(--{name}) is not a token"
            );
        }
        // Outside :root, no colour literal (in any declaration's value),
        // font list or shadow colour.
        let colors: Vec<&str> = rules
            .split([';', '{', '}'])
            .filter_map(|decl| decl.split_once(':').map(|(_, value)| value))
            .flat_map(|value| {
                color_spans(value)
                    .expect("parsable")
                    .into_iter()
                    .map(move |(s, e)| &value[s..e])
            })
            .collect();
        assert!(colors.is_empty(), "hard-coded colours: {colors:?}");
        for decl in rules.split([';', '{', '}']) {
            let Some((property, value)) = decl.split_once(':') else {
                continue;
            };
            let property = property.trim();
            let value = value.trim();
            if matches!(property, "font-family" | "font") {
                assert!(
                    value.contains("var(--font-") || value == "inherit",
                    "{property}: {value}"
                );
            }
            if property == "box-shadow" || (property == "filter" && value.contains("shadow")) {
                assert!(
                    value.contains("var(") || value == "none",
                    "{property}: {value}"
                );
            }
            if property.starts_with("border") && property.ends_with("radius") {
                // Only circles and the egg's shape are geometry; design radii are tokens.
                assert!(
                    value.contains("var(--radius-") || value.contains('%') || value == "0",
                    "{property}: {value}"
                );
            }
        }
    }
}
