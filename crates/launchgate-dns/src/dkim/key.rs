//! Reading a DKIM public key far enough to know its size: base64, then the DER of a
//! SubjectPublicKeyInfo (or a bare PKCS#1 RSAPublicKey, which some signers publish).

/// One DER element: its tag and contents.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;
/// 1.2.840.113549.1.1.1, rsaEncryption.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The RSA modulus size in bits, from a SubjectPublicKeyInfo or an RSAPublicKey.
pub fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    let (tag, body, _) = element(der)?;
    if tag != SEQUENCE {
        return None;
    }
    let (first_tag, first, rest) = element(body)?;
    match first_tag {
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        INTEGER => Some(integer_bits(first)),
        // SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }
        SEQUENCE => {
            let (oid_tag, oid, _) = element(first)?;
            if oid_tag != OID || oid != RSA_ENCRYPTION {
                return None;
            }
            let (bits_tag, bits, _) = element(rest)?;
            if bits_tag != BIT_STRING || bits.first() != Some(&0) {
                return None;
            }
            rsa_modulus_bits(&bits[1..])
        }
        _ => None,
    }
}

fn integer_bits(bytes: &[u8]) -> usize {
    let bytes = match bytes.iter().position(|b| *b != 0) {
        Some(i) => &bytes[i..],
        None => return 0,
    };
    bytes.len() * 8 - bytes[0].leading_zeros() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_modulus_size_from_pkcs1_and_spki() {
        // RSAPublicKey with a 9-bit modulus 0x01ff and exponent 3.
        let pkcs1 = [0x30, 0x07, 0x02, 0x02, 0x01, 0xff, 0x02, 0x01, 0x03];
        assert_eq!(rsa_modulus_bits(&pkcs1), Some(9));
        let mut spki = vec![0x30, 0x00, 0x30, 0x0d, 0x06, 0x09];
        spki.extend_from_slice(RSA_ENCRYPTION);
        spki.extend_from_slice(&[0x05, 0x00, 0x03, 0x0a, 0x00]);
        spki.extend_from_slice(&pkcs1);
        spki[1] = (spki.len() - 2) as u8;
        assert_eq!(rsa_modulus_bits(&spki), Some(9));
        assert_eq!(rsa_modulus_bits(&[0x04, 0x01, 0x00]), None);
    }
}
