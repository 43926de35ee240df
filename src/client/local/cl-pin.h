/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN rules: the PINComplexity nodes of the effective policy and Windows'
 * simple-PIN rule.  Pure checks on a string; no terminal I/O (the cloudtrust
 * command reads and confirms the PIN) and the PIN never reaches `why`.
 *
 * Rules, in the order they are checked (the first failure is reported):
 *   1. the PIN is valid UTF-8 without control characters;
 *   2. MinimumPINLength / MaximumPINLength, counted in characters;
 *   3. Digits, UppercaseLetters, LowercaseLetters, SpecialCharacters:
 *      require (at least one) or disallow (none).  Digits are 0-9, letters
 *      A-Z and a-z; every other character (ASCII punctuation, space, and
 *      any non-ASCII character) counts as special;
 *   4. simple PIN: one character repeated ("1111", "aaaa"), or, for an
 *      all-digit PIN, digits that move by one constant step without
 *      wrapping: consecutive runs up or down ("1234", "9876") and wider
 *      steps ("1357", "8642").  Windows refuses these patterns too.
 */
#ifndef CT_CL_PIN_H
#define CT_CL_PIN_H

#include <stddef.h>

#include "cl-policy.h"
#include "ct-error.h"

/* Longest PIN accepted in bytes (127 characters of up to 4 bytes). */
#define CT_PIN_MAX_BYTES 508

/*
 * Checks pin against p.  Returns 0, or CT_ERR_PIN_POLICY with `why` (may be
 * NULL) naming the rule that failed, e.g.
 * "PINComplexity/MinimumPINLength: at least 6 characters",
 * "PINComplexity/Digits: must contain a digit",
 * "simple PIN: a run of consecutive digits (123456)".
 */
int ct_pin_check(const struct ct_policy *p, const char *pin, char *why,
		 size_t whylen) __attribute__((warn_unused_result));

#endif
