package dev.srgan.domain.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValidationSplitTest {
    @Test
    void theLastTenthByNameAndAtLeastOneImageValidate() {
        assertEquals(1, ValidationSplit.heldOut(1));
        assertTrue(ValidationSplit.trains(0, 1) && ValidationSplit.validates(0, 1), "one image does both");
        assertEquals(1, ValidationSplit.heldOut(2));
        assertEquals(1, ValidationSplit.heldOut(19));
        assertEquals(2, ValidationSplit.heldOut(25));
        assertFalse(ValidationSplit.validates(22, 25));
        assertTrue(ValidationSplit.validates(23, 25) && !ValidationSplit.trains(23, 25));
        assertTrue(ValidationSplit.trains(22, 25));
    }
}
