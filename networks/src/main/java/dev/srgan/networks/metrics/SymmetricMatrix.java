package dev.srgan.networks.metrics;

/**
 * Eigen-decomposition and Moore-Penrose pseudo-inverse of real symmetric matrices, by the cyclic
 * Jacobi method: small (NIQE's are 36x36), exact to rounding, no dependency.
 */
final class SymmetricMatrix {

    private SymmetricMatrix() {}

    /**
     * Eigenvalues and eigenvectors.
     *
     * @param values the eigenvalues, unsorted
     * @param vectors column {@code j} is the unit eigenvector of {@code values[j]}
     */
    record Eigen(double[] values, double[][] vectors) {}

    /**
     * Decomposes a symmetric matrix {@code a = V diag(values) V^T}.
     *
     * @param a a symmetric n x n matrix (only its upper triangle is read); not modified
     * @return its eigenvalues and eigenvectors
     */
    static Eigen eigen(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][n];
        double[][] v = new double[n][n];
        for (int i = 0; i < n; i++) {
            if (a[i].length != n) {
                throw new IllegalArgumentException("not a square matrix");
            }
            for (int j = 0; j < n; j++) {
                m[i][j] = j >= i ? a[i][j] : a[j][i];
            }
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += m[i][i] * m[i][i];
                for (int j = i + 1; j < n; j++) {
                    off += m[i][j] * m[i][j];
                }
            }
            if (off == 0 || off <= 1e-32 * diag) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (m[p][q] != 0) {
                        rotate(m, v, p, q);
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = m[i][i];
        }
        return new Eigen(values, v);
    }

    /** One Jacobi rotation zeroing {@code m[p][q]}; accumulates it into {@code v}. */
    private static void rotate(double[][] m, double[][] v, int p, int q) {
        int n = m.length;
        double apq = m[p][q];
        double theta = (m[q][q] - m[p][p]) / (2 * apq);
        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        if (theta == 0) {
            t = 1;
        }
        double c = 1 / Math.sqrt(t * t + 1);
        double s = t * c;
        for (int k = 0; k < n; k++) {
            double mkp = m[k][p];
            double mkq = m[k][q];
            m[k][p] = c * mkp - s * mkq;
            m[k][q] = s * mkp + c * mkq;
        }
        for (int k = 0; k < n; k++) {
            double mpk = m[p][k];
            double mqk = m[q][k];
            m[p][k] = c * mpk - s * mqk;
            m[q][k] = s * mpk + c * mqk;
        }
        m[p][q] = 0;
        m[q][p] = 0;
        for (int k = 0; k < n; k++) {
            double vkp = v[k][p];
            double vkq = v[k][q];
            v[k][p] = c * vkp - s * vkq;
            v[k][q] = s * vkp + c * vkq;
        }
    }

    /**
     * The Moore-Penrose pseudo-inverse of a symmetric matrix: {@code V diag(1/lambda) V^T} over
     * the eigenvalues with {@code |lambda| > n * max|lambda| * ulp(max|lambda|)}, MATLAB's {@code
     * pinv} tolerance (for a symmetric matrix the singular values are the |eigenvalues|).
     *
     * @param a a symmetric matrix
     * @return its pseudo-inverse, symmetric
     */
    static double[][] pinv(double[][] a) {
        int n = a.length;
        Eigen e = eigen(a);
        double max = 0;
        for (double value : e.values()) {
            max = Math.max(max, Math.abs(value));
        }
        double tol = n * max * Math.ulp(max);
        double[][] out = new double[n][n];
        double[][] v = e.vectors();
        for (int k = 0; k < n; k++) {
            double value = e.values()[k];
            if (Math.abs(value) <= tol) {
                continue;
            }
            double inv = 1 / value;
            for (int i = 0; i < n; i++) {
                double vi = v[i][k] * inv;
                for (int j = 0; j < n; j++) {
                    out[i][j] += vi * v[j][k];
                }
            }
        }
        return out;
    }
}
