import CGMP

// Most values in a replay are dyadic rationals, n/2ᵏ: every Double is one, and
// sums, differences and products of dyadics stay dyadic. For them, +, − and ×
// need no gcd (GMP's mpq functions compute one or two per operation): align
// the powers of two, operate on the numerators, and strip common factors of 2.

extension RationalStorage {
    /// k if the value is n/2ᵏ in lowest terms, `nil` if the denominator has an
    /// odd factor.
    var dyadicExponent: Int? {
        let bits = __gmpz_sizeinbase(denominator, 2) - 1
        return __gmpz_scan1(denominator, 0) == bits ? bits : nil
    }
}

extension Rational {
    /// `a ± b` for dyadic operands (`subtract` chooses the sign), or `nil`.
    static func dyadicSum(_ a: Rational, _ b: Rational, subtract: Bool) -> Rational? {
        guard let ka = a.storage.dyadicExponent, let kb = b.storage.dyadicExponent else { return nil }
        let k = max(ka, kb)
        return make { result in
            let storage = RationalStorage.view(result)
            __gmpz_mul_2exp(storage.numerator, a.storage.numerator, mp_bitcnt_t(k - ka))
            let scaled = storage.denominator   // scratch: 2^(k-kb)·b.num, replaced below
            __gmpz_mul_2exp(scaled, b.storage.numerator, mp_bitcnt_t(k - kb))
            if subtract { __gmpz_sub(storage.numerator, storage.numerator, scaled) }
            else { __gmpz_add(storage.numerator, storage.numerator, scaled) }
            storage.setDyadicDenominator(exponent: k)
        }
    }

    /// `a · b` for dyadic operands, or `nil`.
    static func dyadicProduct(_ a: Rational, _ b: Rational) -> Rational? {
        guard let ka = a.storage.dyadicExponent, let kb = b.storage.dyadicExponent else { return nil }
        return make { result in
            let storage = RationalStorage.view(result)
            __gmpz_mul(storage.numerator, a.storage.numerator, b.storage.numerator)
            storage.setDyadicDenominator(exponent: ka + kb)
        }
    }
}

extension RationalStorage {
    /// Pointers into an `mpq_t` that this code does not own.
    struct View {
        let numerator: UnsafeMutablePointer<__mpz_struct>
        let denominator: UnsafeMutablePointer<__mpz_struct>

        /// Sets the denominator to 2^exponent and cancels the factors of two
        /// the numerator shares with it, leaving the value in lowest terms.
        func setDyadicDenominator(exponent: Int) {
            var exponent = exponent
            if numerator.pointee._mp_size == 0 {
                exponent = 0
            } else {
                let shift = min(exponent, Int(__gmpz_scan1(numerator, 0)))
                __gmpz_tdiv_q_2exp(numerator, numerator, mp_bitcnt_t(shift))
                exponent -= shift
            }
            __gmpz_set_ui(denominator, 0)
            __gmpz_setbit(denominator, mp_bitcnt_t(exponent))
        }
    }

    static func view(_ pointer: UnsafeMutablePointer<__mpq_struct>) -> View {
        let raw = UnsafeMutableRawPointer(pointer)
        return View(
            numerator: raw.assumingMemoryBound(to: __mpz_struct.self),
            denominator: (raw + MemoryLayout<__mpz_struct>.stride).assumingMemoryBound(to: __mpz_struct.self)
        )
    }
}
