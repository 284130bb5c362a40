//! Embeds `../themes/*.json` in the server: writes `$OUT_DIR/themes.rs`, a
//! list of `(file stem, include_str!(file))` sorted by stem, so adding a
//! theme is adding a file.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            if path.extension()? != "json" {
                return None;
            }
            let stem = path.file_stem()?.to_str()?.to_owned();
            let path = path.canonicalize().ok()?.to_str()?.to_owned();
            Some((stem, path))
        })
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every `themes/*.json` as (file stem, contents), sorted by stem.\n\
         pub const FILES: &[(&str, &str)] = &[\n",
    );
    for (stem, path) in &files {
        out.push_str(&format!("    ({stem:?}, include_str!({path:?})),\n"));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("themes.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("writing {}: {e}", target.display()));
}
