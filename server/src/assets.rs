//! The built player bundle and `public/`, held in memory with their gzip and
//! brotli forms made once at start, so a request costs a map lookup.
//!
//! Trunk names bundle files with a content hash (`app-0123456789abcdef_bg.wasm`):
//! those are cached for a year as immutable; `index.html` is `no-cache`, so a
//! new deploy is picked up at once; other public files get a short max-age
//! because partners link them by a fixed URL (`/embed.js`).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One file, ready to serve.
#[derive(Debug)]
pub struct Asset {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    etag: HeaderValue,
    identity: Vec<u8>,
    gzip: Option<Vec<u8>>,
    brotli: Option<Vec<u8>>,
}

impl Asset {
    /// Builds an asset, compressing it when that pays.
    pub fn new(path: &str, bytes: Vec<u8>, cache_control: &'static str) -> Asset {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        let mut content_type = mime.essence_str().to_owned();
        if mime.type_() == mime_guess::mime::TEXT
            || matches!(
                mime.essence_str(),
                "application/javascript" | "application/json" | "image/svg+xml"
            )
        {
            content_type.push_str("; charset=utf-8");
        }
        let compressible = mime.type_() == mime_guess::mime::TEXT
            || matches!(
                mime.essence_str(),
                "application/javascript"
                    | "application/json"
                    | "application/wasm"
                    | "image/svg+xml"
                    | "application/xml"
                    | "application/manifest+json"
            );
        let (gzip, brotli) = if compressible && bytes.len() > 256 {
            (
                smaller(gzip(&bytes), bytes.len()),
                smaller(brotli(&bytes), bytes.len()),
            )
        } else {
            (None, None)
        };
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}\"", hex::encode(&digest[..12]));
        Asset {
            content_type: HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            cache_control: HeaderValue::from_static(cache_control),
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            identity: bytes,
            gzip,
            brotli,
        }
    }

    /// The uncompressed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.identity
    }

    /// The response for a request with these headers.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        let not_modified = request
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(',')
                    .any(|tag| tag.trim() == self.etag.to_str().unwrap_or(""))
            });
        if not_modified {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        let accepts = AcceptEncoding::parse(request);
        let (body, encoding) = match (&self.brotli, &self.gzip) {
            (Some(br), _) if accepts.brotli => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts.gzip => (gz.clone(), Some("gzip")),
            _ => (self.identity.clone(), None),
        };
        if let Some(encoding) = encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        (StatusCode::OK, headers, Body::from(body)).into_response()
    }
}

fn smaller(compressed: Vec<u8>, original: usize) -> Option<Vec<u8>> {
    (compressed.len() < original).then_some(compressed)
}

/// gzip at level 9.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// brotli at quality 11, window 22.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        let _ = writer.write_all(bytes);
    }
    out
}

#[derive(Default)]
struct AcceptEncoding {
    gzip: bool,
    brotli: bool,
}

impl AcceptEncoding {
    fn parse(headers: &HeaderMap) -> Self {
        let mut accepts = AcceptEncoding::default();
        for value in headers.get_all(header::ACCEPT_ENCODING) {
            let Ok(value) = value.to_str() else { continue };
            for item in value.split(',') {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let refused = parts.any(|p| {
                    let p = p.trim().replace(' ', "");
                    p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
                });
                if refused {
                    continue;
                }
                match coding.as_str() {
                    "br" => accepts.brotli = true,
                    "gzip" | "x-gzip" => accepts.gzip = true,
                    "*" => {
                        accepts.brotli = true;
                        accepts.gzip = true;
                    }
                    _ => {}
                }
            }
        }
        accepts
    }
}

/// All static files by URL path (`/index.html`, `/embed.js`, …).
#[derive(Debug, Default)]
pub struct Assets {
    files: HashMap<String, Asset>,
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const NO_CACHE: &str = "no-cache";
const SHORT: &str = "public, max-age=300";

impl Assets {
    /// Loads `public_dir` and then `dist_dir` (the bundle wins on a clash).
    /// Missing folders are fine: the API still serves, and `/` explains.
    pub fn load(dist_dir: &Path, public_dir: &Path) -> std::io::Result<Assets> {
        let mut assets = Assets::default();
        assets.add_dir(public_dir, public_dir)?;
        assets.add_dir(dist_dir, dist_dir)?;
        Ok(assets)
    }

    fn add_dir(&mut self, root: &Path, dir: &Path) -> std::io::Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                self.add_dir(root, &path)?;
                continue;
            }
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let url = format!("/{}", relative.to_string_lossy().replace('\\', "/"));
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let cache = if url.ends_with("/index.html") {
                NO_CACHE
            } else if is_hashed(&name) {
                IMMUTABLE
            } else {
                SHORT
            };
            self.files
                .insert(url.clone(), Asset::new(&url, std::fs::read(&path)?, cache));
        }
        Ok(())
    }

    /// The file at `path`, if there is one.
    pub fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path)
    }

    /// `index.html` of the bundle, if it was built.
    pub fn index(&self) -> Option<&Asset> {
        self.files.get("/index.html")
    }

    /// Every path, sorted.
    pub fn paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.files.keys().map(String::as_str).collect();
        paths.sort_unstable();
        paths
    }
}

/// Whether a file name carries Trunk's content hash: `name-<16 hex>` before the
/// extension (or before `_bg.wasm`).
pub fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((_, hash)) => {
            (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognised() {
        assert!(is_hashed("huodong-app-0123456789abcdef_bg.wasm"));
        assert!(is_hashed("huodong-app-0123456789abcdef.js"));
        assert!(is_hashed("style-a1b2c3d4e5f60718.css"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("embed.js"));
        assert!(!is_hashed("huodong-app-xyz.js"));
    }

    #[test]
    fn brotli_is_preferred_and_q0_is_honoured() {
        let asset = Asset::new(
            "/a.js",
            "console.log('hi');\n".repeat(100).into_bytes(),
            SHORT,
        );
        let mut req = HeaderMap::new();
        req.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br"),
        );
        let res = asset.respond(&req);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
        req.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, br;q=0"),
        );
        let res = asset.respond(&req);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
        req.remove(header::ACCEPT_ENCODING);
        let res = asset.respond(&req);
        assert!(res.headers().get(header::CONTENT_ENCODING).is_none());
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
    }

    #[test]
    fn a_matching_etag_answers_not_modified() {
        let asset = Asset::new("/x.css", b"body{}".to_vec(), SHORT);
        let mut req = HeaderMap::new();
        req.insert(header::IF_NONE_MATCH, asset.etag.clone());
        assert_eq!(asset.respond(&req).status(), StatusCode::NOT_MODIFIED);
    }
}
