import CGMP

// Most values in a replay are dyadic rationals, n/2ᵏ: every Double is one, and
// sums, differences and products of dyadics stay dyadic. For them, +, − and ×
// need no gcd (GMP's mpq functions compute one or two per operation): align
// the powers of two, operate on the numerators, and strip common factors of 2.

extension RationalStorage {
    /// k if the value is n/2ᵏ in lowest terms, `nil` if the denominator has an
    /// odd factor.
    var dyadicExponent: Int? { RationalStorage.view(pointer).dyadicExponent }
}

extension Rational {
    /// `a ± b` for dyadic operands (`subtract` chooses the sign), or `nil`.
    static func dyadicSum(_ a: Rational, _ b: Rational, subtract: Bool) -> Rational? {
        withGMP(a, b) { a, b in dyadicSum(a, b, subtract: subtract) }
    }

    private static func dyadicSum(_ a: RationalStorage, _ b: RationalStorage, subtract: Bool) -> Rational? {
        guard let ka = a.dyadicExponent, let kb = b.dyadicExponent else { return nil }
        return make { result in
            let numerator = RationalStorage.view(result).numerator
            // Shift the operand with the smaller power of two, into the result,
            // then add or subtract the other: no scratch integer needed.
            if ka >= kb {
                __gmpz_mul_2exp(numerator, b.numerator, mp_bitcnt_t(ka - kb))
                if subtract { __gmpz_sub(numerator, a.numerator, numerator) }
                else { __gmpz_add(numerator, a.numerator, numerator) }
            } else {
                __gmpz_mul_2exp(numerator, a.numerator, mp_bitcnt_t(kb - ka))
                if subtract { __gmpz_sub(numerator, numerator, b.numerator) }
                else { __gmpz_add(numerator, numerator, b.numerator) }
            }
            RationalStorage.view(result).setDyadicDenominator(exponent: max(ka, kb))
        }
    }

    /// `a · b` for dyadic operands, or `nil`.
    static func dyadicProduct(_ a: Rational, _ b: Rational) -> Rational? {
        withGMP(a, b) { a, b in dyadicProduct(a, b) }
    }

    private static func dyadicProduct(_ a: RationalStorage, _ b: RationalStorage) -> Rational? {
        guard let ka = a.dyadicExponent, let kb = b.dyadicExponent else { return nil }
        return make { result in
            let storage = RationalStorage.view(result)
            __gmpz_mul(storage.numerator, a.numerator, b.numerator)
            storage.setDyadicDenominator(exponent: ka + kb)
        }
    }
}

extension RationalStorage {
    /// Pointers into an `mpq_t` that this code does not own.
    struct View {
        let numerator: UnsafeMutablePointer<__mpz_struct>
        let denominator: UnsafeMutablePointer<__mpz_struct>

        /// k if the denominator is 2ᵏ, `nil` if it has an odd factor.
        var dyadicExponent: Int? {
            let bits = __gmpz_sizeinbase(denominator, 2) - 1
            return __gmpz_scan1(denominator, 0) == bits ? bits : nil
        }

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
            __gmpz_set_ui(denominator, 1)
            __gmpz_mul_2exp(denominator, denominator, mp_bitcnt_t(exponent))
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
