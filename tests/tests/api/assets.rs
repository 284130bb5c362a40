//! Static serving, on a bundle folder the test writes itself (so it does not
//! depend on Trunk; the browser test uses the real bundle).

use std::io::Read;

use huodong_tests::TestApp;

const WASM_NAME: &str = "/huodong-app-0123456789abcdef_bg.wasm";
const JS_NAME: &str = "/huodong-app-0123456789abcdef.js";

fn fake_bundle() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dist dir");
    let index =
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><title>活动</title></head><body></body></html>";
    std::fs::write(dir.path().join("index.html"), index.repeat(4)).expect("index");
    // Compressible but not trivially so: a wasm-like header and repeated text.
    let mut wasm = b"\0asm\x01\0\0\0".to_vec();
    wasm.extend("fn draw(prize) -> stock; ".repeat(400).as_bytes());
    std::fs::write(dir.path().join(&WASM_NAME[1..]), wasm).expect("wasm");
    std::fs::write(
        dir.path().join(&JS_NAME[1..]),
        "export function init() {}\n".repeat(50),
    )
    .expect("js");
    dir
}

async fn spawn_with_bundle(dist: &tempfile::TempDir) -> TestApp {
    let path = dist.path().to_path_buf();
    TestApp::spawn_with(move |config| config.dist_dir = path).await
}

#[tokio::test]
async fn hashed_bundle_files_are_immutable_and_compressed_both_ways() {
    let dist = fake_bundle();
    let app = spawn_with_bundle(&dist).await;

    let br = app
        .get_with(WASM_NAME, &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()["content-type"], "application/wasm");
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(
        br.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(br.headers()["vary"], "accept-encoding");
    let br_bytes = br.bytes().await.expect("body");
    let mut plain = Vec::new();
    brotli_decompress(&br_bytes, &mut plain);
    assert!(plain.starts_with(b"\0asm"));

    let gz = app
        .get_with(WASM_NAME, &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz_bytes = gz.bytes().await.expect("body");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz_bytes[..])
        .read_to_end(&mut unzipped)
        .expect("gunzip");
    assert_eq!(unzipped, plain);
    assert!(br_bytes.len() < gz_bytes.len() && gz_bytes.len() < plain.len());

    let identity = app.get(WASM_NAME).await;
    assert!(identity.headers().get("content-encoding").is_none());
    assert_eq!(identity.bytes().await.expect("body").len(), plain.len());

    let js = app.get_with(JS_NAME, &[("accept-encoding", "br")]).await;
    assert_eq!(
        js.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
}

fn brotli_decompress(input: &[u8], out: &mut Vec<u8>) {
    brotli::BrotliDecompress(&mut &input[..], out).expect("brotli decodes");
}

#[tokio::test]
async fn index_html_is_no_cache_and_answers_every_app_route() {
    let dist = fake_bundle();
    let app = spawn_with_bundle(&dist).await;
    for path in ["/", "/a/demo_wheel", "/a/anything/deeper"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(
            response.headers()["content-type"],
            "text/html; charset=utf-8",
            "{path}"
        );
        assert!(
            response
                .text()
                .await
                .expect("html")
                .contains("<title>活动</title>")
        );
    }
    let missing = app.get("/missing-file.png").await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn a_matching_etag_is_not_modified() {
    let dist = fake_bundle();
    let app = spawn_with_bundle(&dist).await;
    let first = app.get(JS_NAME).await;
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    let again = app.get_with(JS_NAME, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn public_files_are_served_with_a_short_cache() {
    let app = TestApp::spawn().await;
    let response = app.get("/embed.js").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "public, max-age=300");
    assert_eq!(
        response.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
}

#[tokio::test]
async fn without_a_bundle_the_page_says_how_to_build_it() {
    let empty = tempfile::tempdir().expect("dir");
    let path = empty.path().to_path_buf();
    let app = TestApp::spawn_with(move |config| config.dist_dir = path).await;
    let response = app.get("/a/demo_wheel").await;
    assert_eq!(response.status(), 503);
    assert!(
        response
            .text()
            .await
            .expect("text")
            .contains("scripts/run.sh")
    );
    // The API works all the same.
    assert_eq!(app.get_activity("demo_wheel").await["code"], 0);
}
