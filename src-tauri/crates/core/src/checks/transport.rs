//! How each name delivers its bytes: `edge.http2` (HTTP/2 offered) and `edge.compression` (text
//! sent compressed).
//!
//! Both are about the same minute a mobile visitor spends waiting. HTTP/2 loads a page's dozens of
//! files over one connection at once instead of queuing them over a few; compression makes the
//! HTML, scripts and styles several times smaller. HTTP/2 is read from the certificate handshake
//! the TLS checks already made (the handshake offers `h2`, see `net::tls::inspect`), so it costs no
//! connection of its own. Compression needs one request that says what we accept
//! (`Accept-Encoding: br, gzip`); only its headers matter, and the compressed body is never inflated.

use super::{could_not_check, handshake_or, is_html, own_landing, per_host, Family};
use crate::check::CheckDef;
use crate::facts::Facts;
use crate::model::{Area, Finding, Impact, Stage, Status};
use crate::net::{Request, Response};
use crate::runner::PlannedCheck;
use crate::target::Target;
use serde_json::json;

pub static HTTP2: CheckDef = CheckDef {
    id: "edge.http2",
    area: Area::Edge,
    stage: Stage::Performance,
    impact: Impact::UserExperience,
    what: "whether each name offers HTTP/2",
};
pub static COMPRESSION: CheckDef = CheckDef {
    id: "edge.compression",
    area: Area::Edge,
    stage: Stage::Performance,
    impact: Impact::UserExperience,
    what: "whether text answers are sent compressed",
};

pub const FAMILY: Family = Family { name: "transport", checks: &[&HTTP2, &COMPRESSION], plan };

/// Text smaller than this gains little from compression (one network packet either way).
pub const MIN_COMPRESSIBLE: usize = 1024;

fn plan(target: &Target, facts: &Facts) -> Vec<PlannedCheck> {
    let mut plan = per_host(
        target,
        facts,
        &HTTP2,
        |h| format!("Checking whether {h} speaks HTTP/2"),
        |facts, host| async move { vec![http2(&facts, &host).await] },
    );
    plan.extend(per_host(
        target,
        facts,
        &COMPRESSION,
        |h| format!("Checking whether {h} compresses its pages"),
        |facts, host| async move { vec![compression(&facts, &host).await] },
    ));
    plan
}

async fn http2(facts: &Facts, host: &str) -> Finding {
    match handshake_or(facts, &HTTP2, host, &format!("HTTP/2 on {host}")).await {
        Ok(tls) => judge_http2(host, tls.alpn.as_deref()),
        Err(f) => f,
    }
}

/// The verdict on the protocol a server chose (pure).
pub fn judge_http2(host: &str, alpn: Option<&str>) -> Finding {
    let evidence = json!({ "offered": ["h2", "http/1.1"], "chosen": alpn });
    if alpn == Some("h2") {
        return Finding::new(&HTTP2, host, Status::Pass)
            .title(format!("{host} speaks HTTP/2, so a page's files load in parallel over one connection."))
            .detail("Offered h2 and http/1.1 in the TLS handshake (ALPN); the server chose h2.")
            .evidence(evidence);
    }
    Finding::new(&HTTP2, host, Status::Warn)
        .title(format!("{host} only speaks HTTP/1.1, so each page's files wait in line on a phone."))
        .why("Every script, style and image queues behind the others over a few connections; on a mobile network that adds seconds to the first visit.")
        .detail(format!("Offered h2 and http/1.1 in the TLS handshake (ALPN); the server chose {}.", alpn.unwrap_or("neither (HTTP/1.1)")))
        .evidence(evidence)
        .fix([
            "Every CDN speaks HTTP/2: putting Cloudflare, CloudFront or your host's edge in front of this name turns it on (see edge.cdn).",
            "On your own nginx: listen 443 ssl; http2 on; (or `listen 443 ssl http2;` before nginx 1.25).",
        ])
}

async fn compression(facts: &Facts, host: &str) -> Finding {
    let what = format!("compression on {host}");
    let (url, plain) = match own_landing(facts, &COMPRESSION, host, &what).await {
        Ok(page) => page,
        Err(finding) => return finding,
    };
    let req = Request::get(url.clone()).header("accept-encoding", "br, gzip");
    match facts.send(&req).await {
        Ok(asked) => judge_compression(host, url.as_str(), &plain, &asked),
        Err(e) => could_not_check(Finding::new(&COMPRESSION, host, Status::Error), &what, &e),
    }
}

/// The verdict from the plain answer (its size and type) and the one that accepted compression.
pub fn judge_compression(host: &str, url: &str, plain: &Response, asked: &Response) -> Finding {
    let kind = plain.header("content-type").unwrap_or("unknown").to_ascii_lowercase();
    let text = is_html(plain) || ["css", "javascript", "json", "xml", "svg", "text/"].iter().any(|t| kind.contains(t));
    let encoding = asked.header("content-encoding").map(str::to_ascii_lowercase);
    let size = plain.body.len();
    let evidence = json!({ "url": url, "content_type": kind, "bytes": size, "truncated": plain.truncated, "content_encoding": encoding });
    let base = Finding::new(&COMPRESSION, host, Status::Pass).evidence(evidence);
    match encoding.as_deref() {
        Some(e @ ("br" | "gzip" | "zstd" | "deflate")) => {
            base.title(format!("{host} sends its pages compressed ({e}), so they download several times faster.")).detail(format!("GET {url} with Accept-Encoding: br, gzip → Content-Encoding: {e}."))
        }
        _ if !text => base.title(format!("{host} answers with {kind}, which compression does not help.")).detail(format!("GET {url}: not text, so not compressed.")),
        _ if size < MIN_COMPRESSIBLE && !plain.truncated => base
            .title(format!("{host}'s page is {size} bytes, too small for compression to matter."))
            .detail(format!("GET {url}: {size} bytes, under {MIN_COMPRESSIBLE}.")),
        _ => Finding::new(&COMPRESSION, host, Status::Warn)
            .title(format!("{host} sends its pages uncompressed, so they take several times longer to download on a phone."))
            .why("Text compresses to a fifth of its size or less; without it every visitor downloads the full size, and you pay for the bandwidth.")
            .detail(format!("GET {url} with Accept-Encoding: br, gzip → no Content-Encoding; the page is {} {kind}.", if plain.truncated { format!("over {size} bytes of") } else { format!("{size} bytes of") }))
            .evidence(base.evidence.clone())
            .fix([
                "Cloudflare, CloudFront, Vercel and Netlify compress by default once they are in front of the name (see edge.cdn); on CloudFront tick \"Compress objects automatically\".",
                "On nginx: gzip on; gzip_types text/css application/javascript application/json image/svg+xml; (add brotli if the module is installed).",
                "In a Node server: the `compression` middleware.",
            ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http2_is_read_from_alpn() {
        assert_eq!(judge_http2("a.test", Some("h2")).status, Status::Pass);
        assert_eq!(judge_http2("a.test", Some("http/1.1")).status, Status::Warn);
        assert_eq!(judge_http2("a.test", None).status, Status::Warn);
    }

    #[test]
    fn big_text_must_come_compressed_small_or_binary_need_not() {
        let html = [("content-type", "text/html")];
        let f = |plain: &Response, enc: Option<&str>| {
            let asked = Response::canned(&enc.map(|e| vec![("content-encoding", e)]).unwrap_or_default(), 10);
            judge_compression("a.test", "https://a.test/", plain, &asked).status
        };
        assert_eq!(f(&Response::canned(&html, 50_000), Some("br")), Status::Pass);
        assert_eq!(f(&Response::canned(&html, 50_000), None), Status::Warn);
        assert_eq!(f(&Response::canned(&html, 200), None), Status::Pass, "too small to matter");
        assert_eq!(f(&Response::canned(&[("content-type", "image/png")], 50_000), None), Status::Pass, "already compressed");
    }
}
