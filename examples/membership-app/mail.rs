//! The password-reset email as a seed Gmail inbox received it on launch day: the app's mail
//! provider signed it with its own domain (`d=resend.test`) and sent it from its own bounce
//! domain, so nothing aligns with the From domain, and Gmail filed it under Spam.
//!
//! The provider's Ed25519 key is made when the example starts; the message is signed then,
//! written where launchgate.yml's `mail.messages[].saved` points, and the public key is
//! added to the DNS zone.

use std::path::{Path, PathBuf};

use base64::Engine;
use launchgate_core::Error;
use launchgate_dns::responder::Zone;
use mail_auth::common::crypto::Ed25519Key;
use mail_auth::common::headers::HeaderWriter;
use mail_auth::dkim::DkimSigner;

/// Where the saved message is written; launchgate.yml names it relative to the example.
pub fn saved_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/membership-app/reset.eml")
}

/// What the provider sends: the app's template, with a text and an HTML part.
const MESSAGE: &str = "From: Makers Circle <no-reply@membership-app.test>\r\n\
To: seed@gmail.test\r\n\
Subject: Reset your password\r\n\
Date: Thu, 03 Dec 2026 09:58:00 +0000\r\n\
Message-ID: <0100018c-reset@email.resend.test>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/alternative; boundary=\"reset\"\r\n\
\r\n\
--reset\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Reset your password: https://membership-app.test/reset?token=demo-reset-token\r\n\
--reset\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p><a href=\"https://membership-app.test/reset?token=demo-reset-token\">Reset your password</a></p>\r\n\
--reset--\r\n";

/// Signs the message as the provider, writes it as Gmail's "Download original" gives it, and
/// publishes the provider's key and bounce domain SPF in `zone`.
pub fn write_signed_message(zone: &mut Zone) -> Result<(), Error> {
    let fail = |e: mail_auth::Error| Error::input(format!("cannot sign the example's message: {e}"));
    let pkcs8 = Ed25519Key::generate_pkcs8().map_err(fail)?;
    let key = Ed25519Key::from_pkcs8_der(&pkcs8).map_err(fail)?;
    let public = base64::engine::general_purpose::STANDARD.encode(key.public_key());
    let signature = DkimSigner::from_key(key)
        .domain("resend.test")
        .selector("mail")
        .headers(["From", "To", "Subject", "Date", "Message-ID"])
        .sign(MESSAGE.as_bytes())
        .map_err(fail)?;
    let received = "X-Gmail-Labels: Spam,Category Updates\r\n\
        Return-Path: <bounces+4711@send.resend.test>\r\n\
        Received: from a8-25.smtp-out.resend.test (a8-25.smtp-out.resend.test [192.0.2.25])\r\n\
        \tby mx.gmail.test with ESMTPS id r1; Thu, 03 Dec 2026 09:58:01 +0000\r\n";
    let text = format!("{received}{}{MESSAGE}", signature.to_header());
    let path = saved_path();
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| Error::io(folder, &e))?;
    }
    launchgate_core::atomic::write_atomic(&path, text.as_bytes())?;
    zone.txt(
        "mail._domainkey.resend.test",
        &format!("v=DKIM1; k=ed25519; p={public}"),
    )
    .txt("send.resend.test", "v=spf1 include:_spf.resend.test -all");
    Ok(())
}
