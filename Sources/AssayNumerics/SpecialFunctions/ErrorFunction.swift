extension SpecialFunctions {
    // MARK: Cephes ndtr.c coefficients (xsf/cephes/ndtr.h, as in SciPy 1.17)

    private static let erfcP: [Double] = [
        2.46196981473530512524E-10, 5.64189564831068821977E-1, 7.46321056442269912687E0,
        4.86371970985681366614E1, 1.96520832956077098242E2, 5.26445194995477358631E2,
        9.34528527171957607540E2, 1.02755188689515710272E3, 5.57535335369399327526E2,
    ]
    private static let erfcQ: [Double] = [
        1.32281951154744992508E1, 8.67072140885989742329E1, 3.54937778887819891062E2,
        9.75708501743205489753E2, 1.82390916687909736289E3, 2.24633760818710981792E3,
        1.65666309194161350182E3, 5.57535340817727675546E2,
    ]
    private static let erfcR: [Double] = [
        5.64189583547755073984E-1, 1.27536670759978104416E0, 5.01905042251180477414E0,
        6.16021097993053585195E0, 7.40974269950448939160E0, 2.97886665372100240670E0,
    ]
    private static let erfcS: [Double] = [
        2.26052863220117276590E0, 9.39603524938001434673E0, 1.20489539808096656605E1,
        1.70814450747565897222E1, 9.60896809063285878198E0, 3.36907645100081516050E0,
    ]
    private static let erfT: [Double] = [
        9.60497373987051638749E0, 9.00260197203842689217E1, 2.23200534594684319226E3,
        7.00332514112805075473E3, 5.55923013010394962768E4,
    ]
    private static let erfU: [Double] = [
        3.35617141647503099647E1, 5.21357949780152679795E2, 4.59432382970980127987E3,
        2.26290000613890934246E4, 4.92673942608635921086E4,
    ]

    /// `log(DBL_MAX)` as Cephes writes it (`MAXLOG`).
    static let cephesMaxLog = 7.09782712893383996732E2

    /// The error function, as Cephes `erf` (SciPy's `scipy.special.erf` in 1.17).
    static func errorFunction(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x < 0.0 { return -errorFunction(-x) }
        if abs(x) > 1.0 { return 1.0 - complementaryErrorFunction(x) }
        let z = x * x
        return x * polevl(z, erfT) / p1evl(z, erfU)
    }

    /// The complementary error function `1 − erf(a)`, as Cephes `erfc` (rational approximations
    /// times `exp(−a²)` for `|a| ≥ 1`; `0` or `2` once `exp(−a²)` underflows).
    static func complementaryErrorFunction(_ a: Double) -> Double {
        if a.isNaN { return .nan }
        let x = a < 0.0 ? -a : a
        if x < 1.0 { return 1.0 - errorFunction(a) }
        var z = -a * a
        if z < -cephesMaxLog { return a < 0 ? 2.0 : 0.0 }
        z = DeterministicMath.exp(z)
        let p: Double
        let q: Double
        if x < 8.0 {
            p = polevl(x, erfcP)
            q = p1evl(x, erfcQ)
        } else {
            p = polevl(x, erfcR)
            q = p1evl(x, erfcS)
        }
        var y = (z * p) / q
        if a < 0 { y = 2.0 - y }
        if y != 0.0 { return y }
        return a < 0 ? 2.0 : 0.0
    }
}
