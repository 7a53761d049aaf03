//! The receiving server's own `Authentication-Results` (RFC 8601), compared with this
//! verification. Only the topmost header counts: headers further down can be written by
//! anyone on the way, the sender included.

/// `method=result` pairs of one header value, methods lower-cased; the first per method.
pub fn parse(value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    // The first element is the authserv-id, then `;`-separated results.
    for resinfo in value.split(';').skip(1) {
        let resinfo = strip_comments(resinfo);
        let Some(first) = resinfo.split_whitespace().next() else {
            continue;
        };
        let Some((method, result)) = first.split_once('=') else {
            continue;
        };
        let method = method.trim().to_ascii_lowercase();
        if !out.iter().any(|(m, _)| *m == method) {
            out.push((method, result.trim().to_ascii_lowercase()));
        }
    }
    out
}

fn strip_comments(text: &str) -> String {
    let mut depth = 0usize;
    text.chars()
        .filter(|&c| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => return depth == 0,
            }
            false
        })
        .collect()
}

/// Where the header and this verification disagree: (method, header's word, ours).
pub fn disagreements<'a>(
    header: &'a [(String, String)],
    ours: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str, &'a str)> {
    let mut out = Vec::new();
    for (method, mine) in ours {
        if let Some((_, theirs)) = header.iter().find(|(m, _)| m == method)
            && theirs != mine
        {
            out.push((*method, theirs.as_str(), *mine));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_methods_past_comments_and_properties() {
        let parsed = parse(
            "mx.google.com;\r\n dkim=pass (2048-bit key) header.i=@a.example header.s=s1; spf=softfail (google.com: domain of x@a.example does not designate 192.0.2.1) smtp.mailfrom=x@a.example;\r\n dmarc=fail (p=NONE) header.from=a.example",
        );
        assert_eq!(
            parsed,
            [("dkim", "pass"), ("spf", "softfail"), ("dmarc", "fail")]
                .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        let ours = [("dkim", "fail"), ("spf", "softfail"), ("arc", "pass")];
        assert_eq!(disagreements(&parsed, &ours), [("dkim", "pass", "fail")]);
    }
}
