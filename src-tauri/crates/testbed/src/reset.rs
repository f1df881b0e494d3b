//! A password reset as products ship it, for the reset flow's tests and the demo: a form asking
//! for the email (with a CSRF token bound to a cookie), a message sent through a real SMTP
//! conversation to the test's mail server, and the link in it, which opens a "choose a new
//! password" page. Its broken twins: a form that says "check your inbox" and sends nothing, and
//! a link to another domain (a mail platform's tracker that was never set up).

use crate::handler::{App, Reply};
use crate::web::Received;
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the test product's reset behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetBehaviour {
    Works,
    /// Says the mail is on its way and sends nothing.
    NeverSends,
    /// The mail's link goes to another domain.
    LinkElsewhere,
}

/// Where the product's mail goes out: the test's SMTP server, and the product's domain.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub smtp: SocketAddr,
    pub domain: String,
}

/// The reset pages of `app.DOMAIN`: GET/POST /reset, GET /reset/TOKEN. Every other path is 404,
/// so it can sit behind another app with [`App::or`].
pub fn reset(mailer: Mailer, behaviour: ResetBehaviour) -> App {
    let next = Arc::new(AtomicU32::new(1));
    let tokens: Arc<Mutex<HashSet<String>>> = Arc::default();
    App::new(move |r: &Received| {
        let form = |sid: &str| {
            format!(
                r#"<h1>Forgot your password?</h1><form method="post" action="/reset"><input type="hidden" name="csrf" value="reset-{sid}">
<label>Email <input type="email" name="email"></label><button>Send me a link</button></form>"#
            )
        };
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", "/reset") => {
                let sid = r.cookie("rsid").unwrap_or_else(|| format!("r{}", next.fetch_add(1, Ordering::SeqCst)));
                Reply::html(&form(&sid)).header("set-cookie", &format!("rsid={sid}; Path=/; HttpOnly; Secure; SameSite=Lax"))
            }
            ("POST", "/reset") => {
                let Some(sid) = r.cookie("rsid") else { return Reply::html("no session").status(400) };
                if r.form("csrf").as_deref() != Some(&format!("reset-{sid}")) {
                    return Reply::html("bad token").status(403);
                }
                let Some(email) = r.form("email").filter(|e| e.contains('@')) else {
                    return Reply::html("an email, please").status(422);
                };
                let token = format!("t{}x{:08x}", next.fetch_add(1, Ordering::SeqCst), std::process::id().wrapping_mul(2654435761));
                if let Ok(mut t) = tokens.lock() {
                    t.insert(token.clone());
                }
                if behaviour != ResetBehaviour::NeverSends {
                    let link = match behaviour {
                        ResetBehaviour::LinkElsewhere => format!("https://links.mailer-platform.example/c/{token}"),
                        _ => format!("https://app.{}/reset/{token}", mailer.domain),
                    };
                    let (mailer, to) = (mailer.clone(), email.clone());
                    // The product's mail leaves after the answer, as a queue would send it.
                    std::thread::spawn(move || {
                        if let Err(e) = send(&mailer, &to, &link) {
                            tracing::warn!("the test product could not send its reset mail: {e}");
                        }
                    });
                }
                Reply::html("<p>If an account exists for that address, a link is on its way. Check your inbox.</p>")
            }
            ("GET", p) if p.starts_with("/reset/") => {
                let known = tokens.lock().is_ok_and(|t| t.contains(&p["/reset/".len()..]));
                if known {
                    Reply::html(
                        r#"<h1>Choose a new password</h1><form method="post"><input type="password" name="password"><button>Save</button></form>"#,
                    )
                } else {
                    Reply::html("<p>This link has expired.</p>").status(404)
                }
            }
            _ => Reply::html("not found").status(404),
        }
    })
}

/// One SMTP conversation: the reset message for `to`, holding `link`.
fn send(m: &Mailer, to: &str, link: &str) -> std::io::Result<()> {
    let tcp = TcpStream::connect_timeout(&m.smtp, Duration::from_secs(5))?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut w = tcp.try_clone()?;
    let mut r = BufReader::new(tcp);
    let date = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc2822).unwrap_or_default();
    let message = format!(
        "From: Acme <no-reply@{d}>\r\nTo: <{to}>\r\nSubject: Reset your Acme password\r\nDate: {date}\r\nMessage-ID: <{}.reset@{d}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Someone asked to reset the password of your Acme account.\r\nChoose a new one here: {link}\r\n\r\nIf it was not you, ignore this message.\r\n",
        std::process::id(),
        d = m.domain
    );
    expect(&mut r, "220")?;
    for (line, code) in [
        (format!("EHLO app.{}\r\n", m.domain), "250"),
        (format!("MAIL FROM:<no-reply@{}>\r\n", m.domain), "250"),
        (format!("RCPT TO:<{to}>\r\n"), "250"),
        ("DATA\r\n".to_owned(), "354"),
    ] {
        w.write_all(line.as_bytes())?;
        expect(&mut r, code)?;
    }
    let stuffed: String =
        message.split("\r\n").map(|l| if l.starts_with('.') { format!(".{l}\r\n") } else { format!("{l}\r\n") }).collect();
    w.write_all(stuffed.as_bytes())?;
    w.write_all(b".\r\n")?;
    expect(&mut r, "250")?;
    w.write_all(b"QUIT\r\n")?;
    Ok(())
}

/// Reads one reply (its continuation lines included) and checks its code.
fn expect(r: &mut impl BufRead, code: &str) -> std::io::Result<()> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the mail server left"));
        }
        if line.len() >= 4 && &line[3..4] == "-" {
            continue;
        }
        return if line.starts_with(code) {
            Ok(())
        } else {
            Err(std::io::Error::other(format!("the mail server answered {}", line.trim())))
        };
    }
}
