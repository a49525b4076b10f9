package dev.srgan.domain.images;

import java.io.IOException;

/**
 * Decodes a VP8 key frame, the lossy picture of a WebP file, to its Y, U and V planes (RFC 6386),
 * then to RGB as libwebp does by default: "fancy" upsampling of the half-resolution chroma, and
 * libwebp's fixed-point BT.601 conversion. So a lossy WebP reads here with the pixels a browser
 * shows.
 *
 * <p>The structure follows the specification: the frame header and the first partition's headers
 * (segments, loop filter, quantizers, token probabilities), then macroblock by macroblock its
 * modes (first partition) and residuals (one of the token partitions), predicted and reconstructed
 * in a small workspace from the unfiltered pixels above and left, and at the end the loop filter
 * over the whole frame. Written after the specification and the Go decoder golang.org/x/image/vp8
 * (BSD licence), whose layout of the workspace it keeps.
 */
final class Vp8Decoder {

    /** The decoded planes: Y at full resolution, U and V at half, each with its stride. */
    record Planes(int width, int height, byte[] y, int yStride, byte[] u, byte[] v, int uvStride) {}

    private static final int PLANE_Y1_WITH_Y2 = 0;
    private static final int PLANE_Y2 = 1;
    private static final int PLANE_UV = 2;
    private static final int PLANE_Y1_SANS_Y2 = 3;

    private static final int PRED_DC = 0;
    private static final int PRED_TM = 1;
    private static final int PRED_VE = 2;
    private static final int PRED_HE = 3;
    private static final int PRED_RD = 4;
    private static final int PRED_VR = 5;
    private static final int PRED_LD = 6;
    private static final int PRED_VL = 7;
    private static final int PRED_HD = 8;
    private static final int PRED_HU = 9;
    private static final int PRED_DC_TOP = 10;
    private static final int PRED_DC_LEFT = 11;
    private static final int PRED_DC_TOP_LEFT = 12;

    private static final int[] BANDS = {0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0};
    private static final int[][] CAT3456 = {
        {173, 148, 140, 0},
        {176, 155, 140, 135, 0},
        {180, 157, 141, 134, 130, 0},
        {254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129, 0},
    };
    private static final int[] ZIGZAG = {0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15};

    // the workspace: rows 1-16 luma at columns 8-23, rows 18-25 U at 8-15 and V at 24-31, with
    // the pixels above and left of each (see golang.org/x/image/vp8's reconstruct.go)
    private static final int YY = 1;
    private static final int YX = 8;
    private static final int BY = 18;
    private static final int BX = 8;
    private static final int RY = 18;
    private static final int RX = 24;
    private static final int B_COEFF = 256;
    private static final int R_COEFF = 256 + 64;
    private static final int WHT_COEFF = 256 + 128;

    /** The arithmetic ("bool") decoder of one partition. */
    private static final class BoolDecoder {
        private final byte[] buf;
        private int pos;
        private final int end;
        private int rangeM1 = 254;
        private int bits;
        private int nBits;
        boolean eof;

        BoolDecoder(byte[] buf, int pos, int length) {
            this.buf = buf;
            this.pos = pos;
            this.end = pos + length;
        }

        boolean bit(int prob) {
            if (nBits < 8) {
                if (pos >= end) {
                    eof = true;
                    return false;
                }
                bits |= (buf[pos++] & 0xff) << (8 - nBits);
                nBits += 8;
            }
            int split = ((rangeM1 * prob) >> 8) + 1;
            boolean bit = bits >= split << 8;
            if (bit) {
                rangeM1 -= split;
                bits -= split << 8;
            } else {
                rangeM1 = split - 1;
            }
            if (rangeM1 < 127) {
                int shift = Vp8Tables.SHIFT[rangeM1];
                rangeM1 = Vp8Tables.RANGE_M1[rangeM1];
                bits <<= shift;
                nBits -= shift;
            }
            return bit;
        }

        int literal(int n) {
            int u = 0;
            while (n > 0) {
                n--;
                if (bit(128)) {
                    u |= 1 << n;
                }
            }
            return u;
        }

        int bitAsInt(int prob) {
            return bit(prob) ? 1 : 0;
        }

        int signed(int n) {
            int u = literal(n);
            return bit(128) ? -u : u;
        }

        int optionalSigned(int n) {
            return bit(128) ? signed(n) : 0;
        }
    }

    /** The left or above neighbour's state, as decoding moves along a row. */
    private static final class Neighbour {
        final int[] pred = new int[4];
        int nzMask;
        int nzY16;

        void clear() {
            java.util.Arrays.fill(pred, 0);
            nzMask = 0;
            nzY16 = 0;
        }
    }

    private final byte[] data;
    private int width;
    private int height;
    private int mbw;
    private int mbh;
    private byte[] yPlane;
    private byte[] uPlane;
    private byte[] vPlane;
    private int yStride;
    private int uvStride;

    private BoolDecoder first;
    private BoolDecoder[] partitions;

    private boolean useSegment;
    private boolean updateMap;
    private boolean relativeDelta;
    private final int[] segmentQuantizer = new int[4];
    private final int[] segmentFilter = new int[4];
    private final int[] segmentProb = {255, 255, 255};

    private boolean simpleFilter;
    private int filterLevel;
    private int sharpness;
    private boolean useLfDelta;
    private final int[] refLfDelta = new int[4];
    private final int[] modeLfDelta = new int[4];

    private final int[][] quantY1 = new int[4][2];
    private final int[][] quantY2 = new int[4][2];
    private final int[][] quantUv = new int[4][2];
    private final int[][][][] tokenProb = new int[4][8][3][];
    private boolean useSkipProb;
    private int skipProb;

    /** Per segment, [no inner edges, inner edges]: {level, interior level, hev threshold}, level 0 for none. */
    private final int[][][] filterParams = new int[4][2][3];

    private int[] mbFilter; // per macroblock: segment, whether 4x4 modes, whether inner edges

    private int segment;
    private final Neighbour left = new Neighbour();
    private Neighbour[] above;
    private int nzDcMask;
    private int nzAcMask;
    private boolean usePredY16;
    private int predY16;
    private int predC8;
    private final int[][] predY4 = new int[4][4];
    private final int[] coeff = new int[256 + 128 + 16];
    private final int[][] ybr = new int[26][32];

    private Vp8Decoder(byte[] data) {
        this.data = data;
    }

    /**
     * Decodes a VP8 key frame.
     *
     * @param data holds the VP8 chunk's payload from {@code offset}, {@code length} bytes long
     * @throws IOException for a frame that is not a key frame, is truncated or is damaged
     */
    static Planes decode(byte[] data, int offset, int length) throws IOException {
        return new Vp8Decoder(data).frame(offset, length);
    }

    private Planes frame(int offset, int length) throws IOException {
        if (length < 10) {
            throw new IOException("its VP8 data is truncated (" + length + " bytes)");
        }
        int b0 = data[offset] & 0xff;
        int b1 = data[offset + 1] & 0xff;
        int b2 = data[offset + 2] & 0xff;
        if ((b0 & 1) != 0) {
            throw new IOException("its VP8 data is not a key frame");
        }
        int firstLength = (b0 >> 5) | (b1 << 3) | (b2 << 11);
        if ((data[offset + 3] & 0xff) != 0x9d
                || (data[offset + 4] & 0xff) != 0x01
                || (data[offset + 5] & 0xff) != 0x2a) {
            throw new IOException("its VP8 data has no start code");
        }
        width = ((data[offset + 7] & 0x3f) << 8) | (data[offset + 6] & 0xff);
        height = ((data[offset + 9] & 0x3f) << 8) | (data[offset + 8] & 0xff);
        if (width == 0 || height == 0) {
            throw new IOException("its VP8 frame has no pixels");
        }
        mbw = (width + 15) >> 4;
        mbh = (height + 15) >> 4;
        yStride = 16 * mbw;
        uvStride = 8 * mbw;
        yPlane = new byte[yStride * 16 * mbh];
        uPlane = new byte[uvStride * 8 * mbh];
        vPlane = new byte[uvStride * 8 * mbh];
        mbFilter = new int[mbw * mbh];
        above = new Neighbour[mbw];
        for (int i = 0; i < mbw; i++) {
            above[i] = new Neighbour();
        }
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                for (int k = 0; k < 3; k++) {
                    tokenProb[i][j][k] = Vp8Tables.DEFAULT_TOKEN_PROB[i][j][k].clone();
                }
            }
        }
        int at = offset + 10;
        int end = offset + length;
        if (firstLength > end - at) {
            throw new IOException("its VP8 data is truncated (first partition)");
        }
        first = new BoolDecoder(data, at, firstLength);
        headers(at + firstLength, end);
        for (int mby = 0; mby < mbh; mby++) {
            left.clear();
            for (int mbx = 0; mbx < mbw; mbx++) {
                boolean skip = macroblock(mbx, mby);
                mbFilter[mby * mbw + mbx] = segment | (usePredY16 ? 0 : 4) | (usePredY16 && skip ? 0 : 8);
            }
        }
        if (first.eof) {
            throw new IOException("its VP8 data is truncated (modes)");
        }
        for (BoolDecoder p : partitions) {
            if (p.eof) {
                throw new IOException("its VP8 data is truncated (coefficients)");
            }
        }
        if (filterLevel != 0) {
            loopFilter();
        }
        return new Planes(width, height, yPlane, yStride, uPlane, vPlane, uvStride);
    }

    private void headers(int partitionsStart, int end) throws IOException {
        first.bit(128); // colour space
        first.bit(128); // clamping type
        useSegment = first.bit(128);
        if (useSegment) {
            updateMap = first.bit(128);
            if (first.bit(128)) {
                relativeDelta = !first.bit(128);
                for (int i = 0; i < 4; i++) {
                    segmentQuantizer[i] = first.optionalSigned(7);
                }
                for (int i = 0; i < 4; i++) {
                    segmentFilter[i] = first.optionalSigned(6);
                }
            }
            if (updateMap) {
                for (int i = 0; i < 3; i++) {
                    segmentProb[i] = first.bit(128) ? first.literal(8) : 255;
                }
            }
        }
        simpleFilter = first.bit(128);
        filterLevel = first.literal(6);
        sharpness = first.literal(3);
        useLfDelta = first.bit(128);
        if (useLfDelta && first.bit(128)) {
            for (int i = 0; i < 4; i++) {
                refLfDelta[i] = first.optionalSigned(6);
            }
            for (int i = 0; i < 4; i++) {
                modeLfDelta[i] = first.optionalSigned(6);
            }
        }
        if (filterLevel != 0) {
            filterParams();
        }
        int count = 1 << first.literal(2);
        int sizes = 3 * (count - 1);
        if (end - partitionsStart < sizes) {
            throw new IOException("its VP8 data is truncated (partition sizes)");
        }
        partitions = new BoolDecoder[count];
        int at = partitionsStart + sizes;
        for (int i = 0; i < count; i++) {
            int size;
            if (i < count - 1) {
                int s = partitionsStart + 3 * i;
                size = (data[s] & 0xff) | (data[s + 1] & 0xff) << 8 | (data[s + 2] & 0xff) << 16;
            } else {
                size = end - at;
            }
            if (size < 0 || size > end - at) {
                throw new IOException("its VP8 data is truncated (coefficient partition " + (i + 1) + ")");
            }
            partitions[i] = new BoolDecoder(data, at, size);
            at += size;
        }
        quantizers();
        first.bit(128); // refresh entropy probabilities: a still image has one frame
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                for (int k = 0; k < 3; k++) {
                    for (int l = 0; l < 11; l++) {
                        if (first.bit(Vp8Tables.TOKEN_PROB_UPDATE[i][j][k][l])) {
                            tokenProb[i][j][k][l] = first.literal(8);
                        }
                    }
                }
            }
        }
        useSkipProb = first.bit(128);
        if (useSkipProb) {
            skipProb = first.literal(8);
        }
        if (first.eof) {
            throw new IOException("its VP8 data is truncated (frame header)");
        }
    }

    private void quantizers() {
        int base = first.literal(7);
        int y1Dc = first.optionalSigned(4);
        int y2Dc = first.optionalSigned(4);
        int y2Ac = first.optionalSigned(4);
        int uvDc = first.optionalSigned(4);
        int uvAc = first.optionalSigned(4);
        for (int i = 0; i < 4; i++) {
            int q = base;
            if (useSegment) {
                q = relativeDelta ? q + segmentQuantizer[i] : segmentQuantizer[i];
            }
            quantY1[i][0] = Vp8Tables.DC_QUANT[clip(q + y1Dc, 0, 127)];
            quantY1[i][1] = Vp8Tables.AC_QUANT[clip(q, 0, 127)];
            quantY2[i][0] = Vp8Tables.DC_QUANT[clip(q + y2Dc, 0, 127)] * 2;
            quantY2[i][1] = Math.max(8, Vp8Tables.AC_QUANT[clip(q + y2Ac, 0, 127)] * 155 / 100);
            quantUv[i][0] = Vp8Tables.DC_QUANT[clip(q + uvDc, 0, 117)]; // at most 132, as the reference decoder
            quantUv[i][1] = Vp8Tables.AC_QUANT[clip(q + uvAc, 0, 127)];
        }
    }

    private void filterParams() {
        for (int i = 0; i < 4; i++) {
            int base = filterLevel;
            if (useSegment) {
                base = relativeDelta ? segmentFilter[i] + filterLevel : segmentFilter[i];
            }
            for (int j = 0; j < 2; j++) { // j: the macroblock is predicted as 4x4 blocks
                int level = base;
                if (useLfDelta) {
                    level += refLfDelta[0]; // intra frame
                    if (j != 0) {
                        level += modeLfDelta[0]; // B_PRED
                    }
                }
                int[] p = filterParams[i][j];
                if (level <= 0) {
                    p[0] = 0;
                    continue;
                }
                level = Math.min(level, 63);
                int interior = level;
                if (sharpness > 0) {
                    interior >>= sharpness > 4 ? 2 : 1;
                    interior = Math.min(interior, 9 - sharpness);
                }
                interior = Math.max(interior, 1);
                p[0] = 2 * level + interior;
                p[1] = interior;
                p[2] = level >= 40 ? 2 : level >= 15 ? 1 : 0;
            }
        }
    }

    /** Decodes and reconstructs one macroblock; true when it has no coefficients. */
    private boolean macroblock(int mbx, int mby) {
        if (updateMap) {
            segment = !first.bit(segmentProb[0]) ? first.bitAsInt(segmentProb[1]) : 2 + first.bitAsInt(segmentProb[2]);
        }
        boolean skip = useSkipProb && first.bit(skipProb);
        java.util.Arrays.fill(coeff, 0);
        prepareWorkspace(mbx, mby);
        usePredY16 = first.bit(145);
        if (usePredY16) {
            modeY16(mbx);
        } else {
            modesY4(mbx);
        }
        modeC8();
        if (!skip) {
            skip = residuals(mbx, mby);
        } else {
            if (usePredY16) {
                left.nzY16 = 0;
                above[mbx].nzY16 = 0;
            }
            left.nzMask = 0;
            above[mbx].nzMask = 0;
            nzDcMask = 0;
            nzAcMask = 0;
        }
        reconstruct(mbx, mby);
        for (int y = 0; y < 16; y++) {
            int at = (mby * 16 + y) * yStride + mbx * 16;
            for (int x = 0; x < 16; x++) {
                yPlane[at + x] = (byte) ybr[YY + y][YX + x];
            }
        }
        for (int y = 0; y < 8; y++) {
            int at = (mby * 8 + y) * uvStride + mbx * 8;
            for (int x = 0; x < 8; x++) {
                uPlane[at + x] = (byte) ybr[BY + y][BX + x];
                vPlane[at + x] = (byte) ybr[RY + y][RX + x];
            }
        }
        return skip;
    }

    private void prepareWorkspace(int mbx, int mby) {
        if (mbx == 0) {
            for (int y = 0; y < 17; y++) {
                ybr[y][7] = 0x81;
            }
            for (int y = 17; y < 26; y++) {
                ybr[y][7] = 0x81;
                ybr[y][23] = 0x81;
            }
        } else {
            for (int y = 0; y < 17; y++) {
                ybr[y][7] = ybr[y][7 + 16];
            }
            for (int y = 17; y < 26; y++) {
                ybr[y][7] = ybr[y][15];
                ybr[y][23] = ybr[y][31];
            }
        }
        if (mby == 0) {
            for (int x = 7; x < 28; x++) {
                ybr[0][x] = 0x7f;
            }
            for (int x = 7; x < 16; x++) {
                ybr[17][x] = 0x7f;
            }
            for (int x = 23; x < 32; x++) {
                ybr[17][x] = 0x7f;
            }
        } else {
            int yRow = (16 * mby - 1) * yStride + 16 * mbx;
            for (int i = 0; i < 16; i++) {
                ybr[0][8 + i] = yPlane[yRow + i] & 0xff;
            }
            int cRow = (8 * mby - 1) * uvStride + 8 * mbx;
            for (int i = 0; i < 8; i++) {
                ybr[17][8 + i] = uPlane[cRow + i] & 0xff;
                ybr[17][24 + i] = vPlane[cRow + i] & 0xff;
            }
            for (int i = 16; i < 20; i++) { // above-right: the next macroblock's, or the last pixel repeated
                ybr[0][8 + i] = yPlane[yRow + (mbx == mbw - 1 ? 15 : i)] & 0xff;
            }
        }
        for (int y = 4; y < 16; y += 4) {
            System.arraycopy(ybr[0], 24, ybr[y], 24, 4);
        }
    }

    private void modeY16(int mbx) {
        int p;
        if (!first.bit(156)) {
            p = !first.bit(163) ? PRED_DC : PRED_VE;
        } else {
            p = !first.bit(128) ? PRED_HE : PRED_TM;
        }
        java.util.Arrays.fill(above[mbx].pred, p);
        java.util.Arrays.fill(left.pred, p);
        predY16 = p;
    }

    private void modeC8() {
        if (!first.bit(142)) {
            predC8 = PRED_DC;
        } else if (!first.bit(114)) {
            predC8 = PRED_VE;
        } else if (!first.bit(183)) {
            predC8 = PRED_HE;
        } else {
            predC8 = PRED_TM;
        }
    }

    private void modesY4(int mbx) {
        for (int j = 0; j < 4; j++) {
            int p = left.pred[j];
            for (int i = 0; i < 4; i++) {
                int[] prob = Vp8Tables.B_MODE_PROB[above[mbx].pred[i]][p];
                if (!first.bit(prob[0])) {
                    p = PRED_DC;
                } else if (!first.bit(prob[1])) {
                    p = PRED_TM;
                } else if (!first.bit(prob[2])) {
                    p = PRED_VE;
                } else if (!first.bit(prob[3])) {
                    if (!first.bit(prob[4])) {
                        p = PRED_HE;
                    } else {
                        p = !first.bit(prob[5]) ? PRED_RD : PRED_VR;
                    }
                } else if (!first.bit(prob[6])) {
                    p = PRED_LD;
                } else if (!first.bit(prob[7])) {
                    p = PRED_VL;
                } else {
                    p = !first.bit(prob[8]) ? PRED_HD : PRED_HU;
                }
                predY4[j][i] = p;
                above[mbx].pred[i] = p;
            }
            left.pred[j] = p;
        }
    }

    /** Reads the 16 coefficients of one 4x4 block; 1 when any is not zero. */
    private int residuals4(BoolDecoder r, int plane, int context, int[] quant, boolean skipFirst, int base) {
        int[][][] prob = tokenProb[plane];
        int n = skipFirst ? 1 : 0;
        int[] p = prob[BANDS[n]][context];
        if (!r.bit(p[0])) {
            return 0;
        }
        while (n != 16) {
            n++;
            if (!r.bit(p[1])) {
                p = prob[BANDS[n]][0];
                continue;
            }
            int v;
            if (!r.bit(p[2])) {
                v = 1;
                p = prob[BANDS[n]][1];
            } else {
                if (!r.bit(p[3])) {
                    v = !r.bit(p[4]) ? 2 : 3 + r.bitAsInt(p[5]);
                } else if (!r.bit(p[6])) {
                    if (!r.bit(p[7])) {
                        v = 5 + r.bitAsInt(159); // category 1
                    } else {
                        v = 7 + 2 * r.bitAsInt(165) + r.bitAsInt(145); // category 2
                    }
                } else {
                    int b1 = r.bitAsInt(p[8]);
                    int b0 = r.bitAsInt(p[9 + b1]);
                    int cat = 2 * b1 + b0; // categories 3 to 6
                    int[] tab = CAT3456[cat];
                    v = 0;
                    for (int i = 0; tab[i] != 0; i++) {
                        v = 2 * v + r.bitAsInt(tab[i]);
                    }
                    v += 3 + (8 << cat);
                }
                p = prob[BANDS[n]][2];
            }
            int z = ZIGZAG[n - 1];
            int c = v * quant[z > 0 ? 1 : 0];
            if (r.bit(128)) {
                c = -c;
            }
            coeff[base + z] = (short) c;
            if (n == 16 || !r.bit(p[0])) {
                return 1;
            }
        }
        return 1;
    }

    /** Reads a macroblock's coefficients; true when all are zero (its inner edges are not filtered). */
    private boolean residuals(int mbx, int mby) {
        BoolDecoder r = partitions[mby & (partitions.length - 1)];
        int plane = PLANE_Y1_SANS_Y2;
        Neighbour up = above[mbx];
        if (usePredY16) {
            int nz = residuals4(r, PLANE_Y2, left.nzY16 + up.nzY16, quantY2[segment], false, WHT_COEFF);
            left.nzY16 = nz;
            up.nzY16 = nz;
            inverseWht();
            plane = PLANE_Y1_WITH_Y2;
        }
        int dcMask = 0;
        int acMask = 0;
        int base = 0;
        int[] lnz = unpack(left.nzMask & 0x0f);
        int[] unz = unpack(up.nzMask & 0x0f);
        for (int y = 0; y < 4; y++) {
            int nz = lnz[y];
            for (int x = 0; x < 4; x++) {
                nz = residuals4(r, plane, nz + unz[x], quantY1[segment], usePredY16, base);
                unz[x] = nz;
                acMask |= nz << (y * 4 + x);
                dcMask |= (coeff[base] != 0 ? 1 : 0) << (y * 4 + x);
                base += 16;
            }
            lnz[y] = nz;
        }
        int lnzMask = pack(lnz);
        int unzMask = pack(unz);
        lnz = unpack(left.nzMask >> 4);
        unz = unpack(up.nzMask >> 4);
        for (int c = 0; c < 4; c += 2) {
            for (int y = 0; y < 2; y++) {
                int nz = lnz[y + c];
                for (int x = 0; x < 2; x++) {
                    nz = residuals4(r, PLANE_UV, nz + unz[x + c], quantUv[segment], false, base);
                    unz[x + c] = nz;
                    acMask |= nz << (16 + c * 2 + y * 2 + x);
                    dcMask |= (coeff[base] != 0 ? 1 : 0) << (16 + c * 2 + y * 2 + x);
                    base += 16;
                }
                lnz[y + c] = nz;
            }
        }
        lnzMask |= pack(lnz) << 4;
        unzMask |= pack(unz) << 4;
        left.nzMask = lnzMask;
        up.nzMask = unzMask;
        nzDcMask = dcMask;
        nzAcMask = acMask;
        return dcMask == 0 && acMask == 0;
    }

    private static int[] unpack(int bits) {
        return new int[] {bits & 1, bits >> 1 & 1, bits >> 2 & 1, bits >> 3 & 1};
    }

    private static int pack(int[] nz) {
        return nz[0] | nz[1] << 1 | nz[2] << 2 | nz[3] << 3;
    }

    private void reconstruct(int mbx, int mby) {
        if (usePredY16) {
            predict16(edgeAware(mbx, mby, predY16), YY, YX);
        }
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 4; i++) {
                int n = 4 * j + i;
                int y = 4 * j + YY;
                int x = 4 * i + YX;
                if (!usePredY16) {
                    predict4(predY4[j][i], y, x);
                }
                int mask = 1 << n;
                if ((nzAcMask & mask) != 0) {
                    inverseDct4(y, x, 16 * n);
                } else if ((nzDcMask & mask) != 0) {
                    inverseDct4DcOnly(y, x, 16 * n);
                }
            }
        }
        int p = edgeAware(mbx, mby, predC8);
        predict8(p, BY, BX);
        chromaResiduals(BY, BX, B_COEFF, 0x0f0000);
        predict8(p, RY, RX);
        chromaResiduals(RY, RX, R_COEFF, 0xf00000);
    }

    private void chromaResiduals(int y, int x, int base, int mask) {
        if ((nzAcMask & mask) != 0) {
            for (int k = 0; k < 4; k++) {
                inverseDct4(y + (k >> 1) * 4, x + (k & 1) * 4, base + 16 * k);
            }
        } else if ((nzDcMask & mask) != 0) {
            for (int k = 0; k < 4; k++) {
                inverseDct4DcOnly(y + (k >> 1) * 4, x + (k & 1) * 4, base + 16 * k);
            }
        }
    }

    /** DC prediction at the frame's top row or left column uses only the neighbours there are. */
    private static int edgeAware(int mbx, int mby, int p) {
        if (p != PRED_DC) {
            return p;
        }
        if (mbx == 0) {
            return mby == 0 ? PRED_DC_TOP_LEFT : PRED_DC_LEFT;
        }
        return mby == 0 ? PRED_DC_TOP : PRED_DC;
    }

    // ---- the inverse transforms (section 14.3, 14.4)

    private void inverseDct4(int y, int x, int base) {
        int[] m = new int[16];
        for (int i = 0; i < 4; i++) {
            int a = coeff[base + i] + coeff[base + 8 + i];
            int b = coeff[base + i] - coeff[base + 8 + i];
            int c = mulSin(coeff[base + 4 + i]) - mulCos(coeff[base + 12 + i]);
            int d = mulCos(coeff[base + 4 + i]) + mulSin(coeff[base + 12 + i]);
            m[i * 4] = a + d;
            m[i * 4 + 1] = b + c;
            m[i * 4 + 2] = b - c;
            m[i * 4 + 3] = a - d;
        }
        for (int j = 0; j < 4; j++) {
            int dc = m[j] + 4;
            int a = dc + m[8 + j];
            int b = dc - m[8 + j];
            int c = mulSin(m[4 + j]) - mulCos(m[12 + j]);
            int d = mulCos(m[4 + j]) + mulSin(m[12 + j]);
            int[] row = ybr[y + j];
            row[x] = clip8(row[x] + ((a + d) >> 3));
            row[x + 1] = clip8(row[x + 1] + ((b + c) >> 3));
            row[x + 2] = clip8(row[x + 2] + ((b - c) >> 3));
            row[x + 3] = clip8(row[x + 3] + ((a - d) >> 3));
        }
    }

    /** x * sqrt(2) * cos(pi/8) in 16-bit fixed point, as x + x * 20091 / 65536 (no overflow). */
    private static int mulCos(int x) {
        return ((x * 20091) >> 16) + x;
    }

    /** x * sqrt(2) * sin(pi/8) in 16-bit fixed point. */
    private static int mulSin(int x) {
        return (x * 35468) >> 16;
    }

    private void inverseDct4DcOnly(int y, int x, int base) {
        int dc = (coeff[base] + 4) >> 3;
        for (int j = 0; j < 4; j++) {
            for (int i = 0; i < 4; i++) {
                ybr[y + j][x + i] = clip8(ybr[y + j][x + i] + dc);
            }
        }
    }

    private void inverseWht() {
        int[] m = new int[16];
        for (int i = 0; i < 4; i++) {
            int a0 = coeff[WHT_COEFF + i] + coeff[WHT_COEFF + 12 + i];
            int a1 = coeff[WHT_COEFF + 4 + i] + coeff[WHT_COEFF + 8 + i];
            int a2 = coeff[WHT_COEFF + 4 + i] - coeff[WHT_COEFF + 8 + i];
            int a3 = coeff[WHT_COEFF + i] - coeff[WHT_COEFF + 12 + i];
            m[i] = a0 + a1;
            m[8 + i] = a0 - a1;
            m[4 + i] = a3 + a2;
            m[12 + i] = a3 - a2;
        }
        int out = 0;
        for (int i = 0; i < 4; i++) {
            int dc = m[i * 4] + 3;
            int a0 = dc + m[3 + i * 4];
            int a1 = m[1 + i * 4] + m[2 + i * 4];
            int a2 = m[1 + i * 4] - m[2 + i * 4];
            int a3 = dc - m[3 + i * 4];
            coeff[out] = (short) ((a0 + a1) >> 3);
            coeff[out + 16] = (short) ((a3 + a2) >> 3);
            coeff[out + 32] = (short) ((a0 - a1) >> 3);
            coeff[out + 48] = (short) ((a3 - a2) >> 3);
            out += 64;
        }
    }

    // ---- intra prediction (chapter 12)

    private void predict16(int mode, int y, int x) {
        predictBlock(mode, y, x, 16);
    }

    private void predict8(int mode, int y, int x) {
        predictBlock(mode, y, x, 8);
    }

    /** The 16x16 and 8x8 predictions: DC (with its edge variants), TM, VE and HE. */
    private void predictBlock(int mode, int y, int x, int size) {
        int shift = size == 16 ? 4 : 3;
        switch (mode) {
            case PRED_DC -> {
                int sum = size;
                for (int i = 0; i < size; i++) {
                    sum += ybr[y - 1][x + i] + ybr[y + i][x - 1];
                }
                fill(y, x, size, sum >> (shift + 1));
            }
            case PRED_DC_TOP -> { // the top row: only the left column
                int sum = size / 2;
                for (int j = 0; j < size; j++) {
                    sum += ybr[y + j][x - 1];
                }
                fill(y, x, size, sum >> shift);
            }
            case PRED_DC_LEFT -> { // the left column: only the row above
                int sum = size / 2;
                for (int i = 0; i < size; i++) {
                    sum += ybr[y - 1][x + i];
                }
                fill(y, x, size, sum >> shift);
            }
            case PRED_DC_TOP_LEFT -> fill(y, x, size, 0x80);
            case PRED_TM -> {
                int corner = ybr[y - 1][x - 1];
                for (int j = 0; j < size; j++) {
                    int leftDelta = ybr[y + j][x - 1] - corner;
                    for (int i = 0; i < size; i++) {
                        ybr[y + j][x + i] = clip8(leftDelta + ybr[y - 1][x + i]);
                    }
                }
            }
            case PRED_VE -> {
                for (int j = 0; j < size; j++) {
                    System.arraycopy(ybr[y - 1], x, ybr[y + j], x, size);
                }
            }
            case PRED_HE -> {
                for (int j = 0; j < size; j++) {
                    java.util.Arrays.fill(ybr[y + j], x, x + size, ybr[y + j][x - 1]);
                }
            }
            default -> throw new IllegalStateException("prediction mode " + mode);
        }
    }

    private void fill(int y, int x, int size, int value) {
        for (int j = 0; j < size; j++) {
            java.util.Arrays.fill(ybr[y + j], x, x + size, value);
        }
    }

    private static int avg3(int a, int b, int c) {
        return (a + 2 * b + c + 2) >> 2;
    }

    private static int avg2(int a, int b) {
        return (a + b + 1) >> 1;
    }

    /** The ten 4x4 predictions, from the row above (a: the corner, b-e above, f-h above-right) and the column left (p-s). */
    private void predict4(int mode, int y, int x) {
        int[] top = ybr[y - 1];
        int a = top[x - 1];
        int b = top[x];
        int c = top[x + 1];
        int d = top[x + 2];
        int e = top[x + 3];
        int f = top[x + 4];
        int g = top[x + 5];
        int h = top[x + 6];
        int hh = top[x + 7];
        int p = ybr[y][x - 1];
        int q = ybr[y + 1][x - 1];
        int r = ybr[y + 2][x - 1];
        int s = ybr[y + 3][x - 1];
        int[][] o = new int[4][4];
        switch (mode) {
            case PRED_DC -> {
                int avg = (b + c + d + e + p + q + r + s + 4) >> 3;
                for (int[] row : o) {
                    java.util.Arrays.fill(row, avg);
                }
            }
            case PRED_TM -> {
                for (int j = 0; j < 4; j++) {
                    int l = ybr[y + j][x - 1];
                    for (int i = 0; i < 4; i++) {
                        o[j][i] = clip8(l - a + top[x + i]);
                    }
                }
            }
            case PRED_VE -> {
                int[] v = {avg3(a, b, c), avg3(b, c, d), avg3(c, d, e), avg3(d, e, f)};
                for (int[] row : o) {
                    System.arraycopy(v, 0, row, 0, 4);
                }
            }
            case PRED_HE -> {
                int[] v = {avg3(a, p, q), avg3(p, q, r), avg3(q, r, s), avg3(r, s, s)};
                for (int j = 0; j < 4; j++) {
                    java.util.Arrays.fill(o[j], v[j]);
                }
            }
            case PRED_RD -> {
                // along the down-right diagonals, from the bottom-left: srq, rqp, qpa, pab, abc, bcd, cde
                int[] diag = {
                    avg3(s, r, q),
                    avg3(r, q, p),
                    avg3(q, p, a),
                    avg3(p, a, b),
                    avg3(a, b, c),
                    avg3(b, c, d),
                    avg3(c, d, e)
                };
                for (int j = 0; j < 4; j++) {
                    for (int i = 0; i < 4; i++) {
                        o[j][i] = diag[3 - j + i];
                    }
                }
            }
            case PRED_VR -> {
                int ab = avg2(a, b);
                int bc = avg2(b, c);
                int cd = avg2(c, d);
                int de = avg2(d, e);
                int rqp = avg3(r, q, p);
                int qpa = avg3(q, p, a);
                int pab = avg3(p, a, b);
                int abc = avg3(a, b, c);
                int bcd = avg3(b, c, d);
                int cde = avg3(c, d, e);
                o[0] = new int[] {ab, bc, cd, de};
                o[1] = new int[] {pab, abc, bcd, cde};
                o[2] = new int[] {qpa, ab, bc, cd};
                o[3] = new int[] {rqp, pab, abc, bcd};
            }
            case PRED_LD -> {
                // along the down-left diagonals: abc (b c d here) ... ghh
                int[] diag = {
                    avg3(b, c, d),
                    avg3(c, d, e),
                    avg3(d, e, f),
                    avg3(e, f, g),
                    avg3(f, g, h),
                    avg3(g, h, hh),
                    avg3(h, hh, hh)
                };
                for (int j = 0; j < 4; j++) {
                    for (int i = 0; i < 4; i++) {
                        o[j][i] = diag[i + j];
                    }
                }
            }
            case PRED_VL -> {
                int ab = avg2(b, c);
                int bc = avg2(c, d);
                int cd = avg2(d, e);
                int de = avg2(e, f);
                int abc = avg3(b, c, d);
                int bcd = avg3(c, d, e);
                int cde = avg3(d, e, f);
                int def = avg3(e, f, g);
                int efg = avg3(f, g, h);
                int fgh = avg3(g, h, hh);
                o[0] = new int[] {ab, bc, cd, de};
                o[1] = new int[] {abc, bcd, cde, def};
                o[2] = new int[] {bc, cd, de, efg};
                o[3] = new int[] {bcd, cde, def, fgh};
            }
            case PRED_HD -> {
                int sr = avg2(s, r);
                int rq = avg2(r, q);
                int qp = avg2(q, p);
                int pa = avg2(p, a);
                int srq = avg3(s, r, q);
                int rqp = avg3(r, q, p);
                int qpa = avg3(q, p, a);
                int pab = avg3(p, a, b);
                int abc = avg3(a, b, c);
                int bcd = avg3(b, c, d);
                o[0] = new int[] {pa, pab, abc, bcd};
                o[1] = new int[] {qp, qpa, pa, pab};
                o[2] = new int[] {rq, rqp, qp, qpa};
                o[3] = new int[] {sr, srq, rq, rqp};
            }
            case PRED_HU -> {
                int pq = avg2(p, q);
                int qr = avg2(q, r);
                int rs = avg2(r, s);
                int pqr = avg3(p, q, r);
                int qrs = avg3(q, r, s);
                int rss = avg3(r, s, s);
                o[0] = new int[] {pq, pqr, qr, qrs};
                o[1] = new int[] {qr, qrs, rs, rss};
                o[2] = new int[] {rs, rss, s, s};
                o[3] = new int[] {s, s, s, s};
            }
            default -> throw new IllegalStateException("prediction mode " + mode);
        }
        for (int j = 0; j < 4; j++) {
            System.arraycopy(o[j], 0, ybr[y + j], x, 4);
        }
    }

    // ---- the loop filter (chapter 15), over the whole frame once it is reconstructed

    private void loopFilter() {
        for (int mby = 0; mby < mbh; mby++) {
            for (int mbx = 0; mbx < mbw; mbx++) {
                int state = mbFilter[mby * mbw + mbx];
                int[] f = filterParams[state & 3][(state & 4) != 0 ? 1 : 0];
                if (f[0] == 0) {
                    continue;
                }
                int level = f[0];
                int interior = f[1];
                int hev = f[2];
                boolean inner = (state & 8) != 0;
                int yAt = (mby * yStride + mbx) * 16;
                int cAt = (mby * uvStride + mbx) * 8;
                if (simpleFilter) {
                    if (mbx > 0) {
                        simple(yPlane, level + 4, yAt, yStride, 1);
                    }
                    if (inner) {
                        for (int k = 4; k < 16; k += 4) {
                            simple(yPlane, level, yAt + k, yStride, 1);
                        }
                    }
                    if (mby > 0) {
                        simple(yPlane, level + 4, yAt, 1, yStride);
                    }
                    if (inner) {
                        for (int k = 4; k < 16; k += 4) {
                            simple(yPlane, level, yAt + k * yStride, 1, yStride);
                        }
                    }
                    continue;
                }
                if (mbx > 0) {
                    normal(yPlane, 16, level + 4, interior, hev, yAt, yStride, 1, false);
                    normal(uPlane, 8, level + 4, interior, hev, cAt, uvStride, 1, false);
                    normal(vPlane, 8, level + 4, interior, hev, cAt, uvStride, 1, false);
                }
                if (inner) {
                    for (int k = 4; k < 16; k += 4) {
                        normal(yPlane, 16, level, interior, hev, yAt + k, yStride, 1, true);
                    }
                    normal(uPlane, 8, level, interior, hev, cAt + 4, uvStride, 1, true);
                    normal(vPlane, 8, level, interior, hev, cAt + 4, uvStride, 1, true);
                }
                if (mby > 0) {
                    normal(yPlane, 16, level + 4, interior, hev, yAt, 1, yStride, false);
                    normal(uPlane, 8, level + 4, interior, hev, cAt, 1, uvStride, false);
                    normal(vPlane, 8, level + 4, interior, hev, cAt, 1, uvStride, false);
                }
                if (inner) {
                    for (int k = 4; k < 16; k += 4) {
                        normal(yPlane, 16, level, interior, hev, yAt + k * yStride, 1, yStride, true);
                    }
                    normal(uPlane, 8, level, interior, hev, cAt + 4 * uvStride, 1, uvStride, true);
                    normal(vPlane, 8, level, interior, hev, cAt + 4 * uvStride, 1, uvStride, true);
                }
            }
        }
    }

    /** The simple filter along one 16-pixel edge: {@code along} steps along it, {@code across} over it. */
    private static void simple(byte[] pix, int level, int at, int along, int across) {
        for (int n = 0; n < 16; n++, at += along) {
            int p1 = pix[at - 2 * across] & 0xff;
            int p0 = pix[at - across] & 0xff;
            int q0 = pix[at] & 0xff;
            int q1 = pix[at + across] & 0xff;
            if ((Math.abs(p0 - q0) << 1) + (Math.abs(p1 - q1) >> 1) > level) {
                continue;
            }
            int a = 3 * (q0 - p0) + clamp127(p1 - q1);
            int a1 = clamp15((a + 4) >> 3);
            int a2 = clamp15((a + 3) >> 3);
            pix[at - across] = (byte) clip8(p0 + a2);
            pix[at] = (byte) clip8(q0 - a1);
        }
    }

    /** The normal filter along one edge: 6 pixels across a macroblock edge, 4 across an inner one. */
    private static void normal(
            byte[] pix, int n, int level, int interior, int hev, int at, int along, int across, boolean inner) {
        for (; n > 0; n--, at += along) {
            int p3 = pix[at - 4 * across] & 0xff;
            int p2 = pix[at - 3 * across] & 0xff;
            int p1 = pix[at - 2 * across] & 0xff;
            int p0 = pix[at - across] & 0xff;
            int q0 = pix[at] & 0xff;
            int q1 = pix[at + across] & 0xff;
            int q2 = pix[at + 2 * across] & 0xff;
            int q3 = pix[at + 3 * across] & 0xff;
            if ((Math.abs(p0 - q0) << 1) + (Math.abs(p1 - q1) >> 1) > level) {
                continue;
            }
            if (Math.abs(p3 - p2) > interior
                    || Math.abs(p2 - p1) > interior
                    || Math.abs(p1 - p0) > interior
                    || Math.abs(q1 - q0) > interior
                    || Math.abs(q2 - q1) > interior
                    || Math.abs(q3 - q2) > interior) {
                continue;
            }
            if (Math.abs(p1 - p0) > hev || Math.abs(q1 - q0) > hev) {
                int a = 3 * (q0 - p0) + clamp127(p1 - q1);
                int a1 = clamp15((a + 4) >> 3);
                int a2 = clamp15((a + 3) >> 3);
                pix[at - across] = (byte) clip8(p0 + a2);
                pix[at] = (byte) clip8(q0 - a1);
            } else if (inner) {
                int a = 3 * (q0 - p0);
                int a1 = clamp15((a + 4) >> 3);
                int a2 = clamp15((a + 3) >> 3);
                int a3 = (a1 + 1) >> 1;
                pix[at - 2 * across] = (byte) clip8(p1 + a3);
                pix[at - across] = (byte) clip8(p0 + a2);
                pix[at] = (byte) clip8(q0 - a1);
                pix[at + across] = (byte) clip8(q1 - a3);
            } else {
                int a = clamp127(3 * (q0 - p0) + clamp127(p1 - q1));
                int a1 = (27 * a + 63) >> 7;
                int a2 = (18 * a + 63) >> 7;
                int a3 = (9 * a + 63) >> 7;
                pix[at - 3 * across] = (byte) clip8(p2 + a3);
                pix[at - 2 * across] = (byte) clip8(p1 + a2);
                pix[at - across] = (byte) clip8(p0 + a1);
                pix[at] = (byte) clip8(q0 - a1);
                pix[at + across] = (byte) clip8(q1 - a2);
                pix[at + 2 * across] = (byte) clip8(q2 - a3);
            }
        }
    }

    private static int clamp15(int x) {
        return x < -16 ? -16 : Math.min(x, 15);
    }

    private static int clamp127(int x) {
        return x < -128 ? -128 : Math.min(x, 127);
    }

    private static int clip8(int x) {
        return x < 0 ? 0 : Math.min(x, 255);
    }

    private static int clip(int x, int min, int max) {
        return x < min ? min : Math.min(x, max);
    }

    // ---- YUV to RGB, as libwebp's default output

    /**
     * The frame as opaque ARGB pixels: each chroma sample spread over its 2x2 pixels by libwebp's
     * "fancy" upsampling (weights 9/16, 3/16, 3/16, 1/16 from the four nearest samples), then
     * libwebp's fixed-point BT.601 conversion.
     */
    static int[] argb(Planes f) {
        int w = f.width();
        int h = f.height();
        int[] out = new int[w * h];
        int[] topU = new int[w];
        int[] topV = new int[w];
        int[] curU = new int[w];
        int[] curV = new int[w];
        // row 0 from chroma row 0 alone; then rows 2k-1 and 2k between chroma rows k-1 and k; a last
        // row of an even height from the last chroma row alone
        upsamplePair(f, 0, 0, topU, topV, curU, curV);
        emit(f, out, 0, topU, topV);
        for (int k = 1; 2 * k - 1 < h; k++) {
            int last = Math.min(k, (h - 1) / 2);
            upsamplePair(f, k - 1, last, topU, topV, curU, curV);
            emit(f, out, 2 * k - 1, topU, topV);
            if (2 * k < h) {
                emit(f, out, 2 * k, curU, curV);
            }
        }
        return out;
    }

    /**
     * The chroma of the two pixel rows between chroma rows {@code top} and {@code cur}: into
     * (topU, topV) the upper pixel row's, into (curU, curV) the lower's, as libwebp's
     * UpsampleRgbLinePair.
     */
    private static void upsamplePair(Planes f, int top, int cur, int[] topU, int[] topV, int[] curU, int[] curV) {
        upsampleChannel(f.u(), top * f.uvStride(), cur * f.uvStride(), topU, curU);
        upsampleChannel(f.v(), top * f.uvStride(), cur * f.uvStride(), topV, curV);
    }

    private static void upsampleChannel(byte[] c, int topAt, int curAt, int[] topOut, int[] curOut) {
        int len = topOut.length;
        int tl = c[topAt] & 0xff;
        int l = c[curAt] & 0xff;
        topOut[0] = (3 * tl + l + 2) >> 2;
        curOut[0] = (3 * l + tl + 2) >> 2;
        int lastPair = (len - 1) >> 1;
        for (int x = 1; x <= lastPair; x++) {
            int t = c[topAt + x] & 0xff;
            int uv = c[curAt + x] & 0xff;
            int avg = tl + t + l + uv + 8;
            int diag12 = (avg + 2 * (t + l)) >> 3;
            int diag03 = (avg + 2 * (tl + uv)) >> 3;
            topOut[2 * x - 1] = (diag12 + tl) >> 1;
            topOut[2 * x] = (diag03 + t) >> 1;
            curOut[2 * x - 1] = (diag03 + l) >> 1;
            curOut[2 * x] = (diag12 + uv) >> 1;
            tl = t;
            l = uv;
        }
        if ((len & 1) == 0) {
            topOut[len - 1] = (3 * tl + l + 2) >> 2;
            curOut[len - 1] = (3 * l + tl + 2) >> 2;
        }
    }

    private static void emit(Planes f, int[] out, int row, int[] u, int[] v) {
        int w = f.width();
        int yAt = row * f.yStride();
        for (int x = 0; x < w; x++) {
            int y = f.y()[yAt + x] & 0xff;
            int yy = (y * 19077) >> 8;
            int r = clipFixed(yy + ((v[x] * 26149) >> 8) - 14234);
            int g = clipFixed(yy - ((u[x] * 6419) >> 8) - ((v[x] * 13320) >> 8) + 8708);
            int b = clipFixed(yy + ((u[x] * 33050) >> 8) - 17685);
            out[row * w + x] = 0xff000000 | r << 16 | g << 8 | b;
        }
    }

    /** libwebp's VP8Clip8: a value with 6 fractional bits to 0-255. */
    private static int clipFixed(int v) {
        return (v & ~16383) == 0 ? v >> 6 : v < 0 ? 0 : 255;
    }
}
