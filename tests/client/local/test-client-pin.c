/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN rules, table-driven: each rule failing with its exact message, and
 * PINs that pass, under the default policy and under changed ones.
 */
#include <stdio.h>
#include <string.h>

#include "cl-pin.h"
#include "tap.h"

struct pin_case {
	const char *policy;  /* local-policy JSON over the defaults; NULL: defaults */
	const char *pin;
	const char *why;     /* NULL: the PIN passes */
};

static const struct pin_case cases[] = {
	/* Defaults: 4..127, digits required, letters and specials disallowed. */
	{NULL, "2580", NULL},
	{NULL, "1029384756", NULL},
	{NULL, "1243", NULL},
	{NULL, "1235", NULL},
	{NULL, "0987654320", NULL},
	{NULL, "123", "PINComplexity/MinimumPINLength: at least 4 characters"},
	{NULL, "", "PINComplexity/MinimumPINLength: at least 4 characters"},
	{NULL, "12a45", "PINComplexity/LowercaseLetters: must not contain lowercase letters"},
	{NULL, "12A45", "PINComplexity/UppercaseLetters: must not contain uppercase letters"},
	{NULL, "12-45", "PINComplexity/SpecialCharacters: must not contain special characters"},
	{NULL, "12 45", "PINComplexity/SpecialCharacters: must not contain special characters"},
	{NULL, "12\xc3\xa4" "45",
	 "PINComplexity/SpecialCharacters: must not contain special characters"},
	/* Control characters and broken UTF-8 come first. */
	{NULL, "12\t45", "PIN: must not contain control characters"},
	{NULL, "1245\x7f", "PIN: must not contain control characters"},
	{NULL, "12\xc2\x85" "45", "PIN: must not contain control characters"},
	{NULL, "12\xff" "45", "PIN: not valid UTF-8"},
	{NULL, "12\xc3" "45", "PIN: not valid UTF-8"},
	{NULL, "12\xed\xa0\x80" "45", "PIN: not valid UTF-8"},
	/* Simple PINs. */
	{NULL, "1111", "simple PIN: one repeated character (1111)"},
	{NULL, "00000000", "simple PIN: one repeated character (1111)"},
	{NULL, "1234", "simple PIN: a run of consecutive digits (123456)"},
	{NULL, "123456", "simple PIN: a run of consecutive digits (123456)"},
	{NULL, "0123456789", "simple PIN: a run of consecutive digits (123456)"},
	{NULL, "9876", "simple PIN: a run of consecutive digits (123456)"},
	{NULL, "543210", "simple PIN: a run of consecutive digits (123456)"},
	{NULL, "1357", "simple PIN: digits in constant steps (1357)"},
	{NULL, "2468", "simple PIN: digits in constant steps (1357)"},
	{NULL, "8642", "simple PIN: digits in constant steps (1357)"},
	{NULL, "9630", "simple PIN: digits in constant steps (1357)"},
	{NULL, "0369", "simple PIN: digits in constant steps (1357)"},
	/* No wrap-around: 7890 is not a run. */
	{NULL, "7890", NULL},
	{NULL, "8901", NULL},
	/* Lengths. */
	{"{\"PINComplexity/MinimumPINLength\": 6}", "25807",
	 "PINComplexity/MinimumPINLength: at least 6 characters"},
	{"{\"PINComplexity/MinimumPINLength\": 6}", "258071", NULL},
	{"{\"PINComplexity/MaximumPINLength\": 6}", "2580714",
	 "PINComplexity/MaximumPINLength: at most 6 characters"},
	{"{\"PINComplexity/MaximumPINLength\": 6}", "258071", NULL},
	/* Characters, not bytes: four two-byte characters are four. */
	{"{\"PINComplexity/SpecialCharacters\": 0, \"PINComplexity/Digits\": 0,"
	 " \"PINComplexity/MaximumPINLength\": 4}",
	 "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f", NULL},
	{"{\"PINComplexity/SpecialCharacters\": 0, \"PINComplexity/Digits\": 0}",
	 "\xc3\xa4\xc3\xb6\xc3\xbc", "PINComplexity/MinimumPINLength: at least 4 characters"},
	/* Digits. */
	{"{\"PINComplexity/Digits\": 2, \"PINComplexity/LowercaseLetters\": 0}", "abzx", NULL},
	{"{\"PINComplexity/Digits\": 2, \"PINComplexity/LowercaseLetters\": 0}", "abz1",
	 "PINComplexity/Digits: must not contain digits"},
	{"{\"PINComplexity/LowercaseLetters\": 0}", "abzx",
	 "PINComplexity/Digits: must contain a digit"},
	{"{\"PINComplexity/Digits\": 0, \"PINComplexity/LowercaseLetters\": 0}", "abzx", NULL},
	{"{\"PINComplexity/Digits\": 0, \"PINComplexity/LowercaseLetters\": 0}", "2580", NULL},
	/* Uppercase. */
	{"{\"PINComplexity/UppercaseLetters\": 1}", "25801",
	 "PINComplexity/UppercaseLetters: must contain an uppercase letter"},
	{"{\"PINComplexity/UppercaseLetters\": 1}", "2580Q", NULL},
	{"{\"PINComplexity/UppercaseLetters\": 0}", "2580Q", NULL},
	{"{\"PINComplexity/UppercaseLetters\": 0}", "25801", NULL},
	/* Lowercase. */
	{"{\"PINComplexity/LowercaseLetters\": 1}", "25801",
	 "PINComplexity/LowercaseLetters: must contain a lowercase letter"},
	{"{\"PINComplexity/LowercaseLetters\": 1}", "2580q", NULL},
	/* Special characters, including space and non-ASCII. */
	{"{\"PINComplexity/SpecialCharacters\": 1}", "25801",
	 "PINComplexity/SpecialCharacters: must contain a special character"},
	{"{\"PINComplexity/SpecialCharacters\": 1}", "2580!", NULL},
	{"{\"PINComplexity/SpecialCharacters\": 1}", "2580 ", NULL},
	{"{\"PINComplexity/SpecialCharacters\": 1}", "2580\xe2\x82\xac", NULL},
	/* Everything required at once. */
	{"{\"PINComplexity/UppercaseLetters\": 1, \"PINComplexity/LowercaseLetters\": 1,"
	 " \"PINComplexity/SpecialCharacters\": 1}", "aB3$", NULL},
	{"{\"PINComplexity/UppercaseLetters\": 1, \"PINComplexity/LowercaseLetters\": 1,"
	 " \"PINComplexity/SpecialCharacters\": 1}", "aB3x",
	 "PINComplexity/SpecialCharacters: must contain a special character"},
	/* The repeat rule covers any character; steps only all-digit PINs. */
	{"{\"PINComplexity/Digits\": 0, \"PINComplexity/LowercaseLetters\": 0}", "aaaa",
	 "simple PIN: one repeated character (1111)"},
	{"{\"PINComplexity/Digits\": 0, \"PINComplexity/LowercaseLetters\": 0}", "abcd", NULL},
	{"{\"PINComplexity/Digits\": 0, \"PINComplexity/SpecialCharacters\": 0}",
	 "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", "simple PIN: one repeated character (1111)"},
	{"{\"PINComplexity/LowercaseLetters\": 0}", "1234a", NULL},
	/* The length rule is checked before the classes. */
	{"{\"PINComplexity/MinimumPINLength\": 8}", "12a", 
	 "PINComplexity/MinimumPINLength: at least 8 characters"},
};

static void test_table(void)
{
	struct ct_policy p;
	struct ct_errinfo ei;
	char why[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ct_policy_defaults(&p);
		if (cases[i].policy != NULL &&
		    ct_policy_apply_local(&p, cases[i].policy, strlen(cases[i].policy),
					  "case", &ei) != 0) {
			tap_diag("case %zu: bad policy: %s", i, ei.msg);
			CHECK(false);
			continue;
		}
		memset(why, 'x', sizeof(why));
		if (cases[i].why == NULL) {
			CHECK_ERR(ct_pin_check(&p, cases[i].pin, why, sizeof(why)), 0);
			CHECK_STR(why, "");
		} else {
			CHECK_ERR(ct_pin_check(&p, cases[i].pin, why, sizeof(why)),
				  CT_ERR_PIN_POLICY);
			CHECK_STR(why, cases[i].why);
		}
	}
}

static void test_edges(void)
{
	struct ct_policy p;
	char why[64], pin[CT_PIN_MAX_BYTES + 2];

	ct_policy_defaults(&p);
	CHECK_ERR(ct_pin_check(&p, NULL, why, sizeof(why)), CT_ERR_PIN_POLICY);
	CHECK_STR(why, "PIN: missing");
	/* why may be NULL or short; the result is the same. */
	CHECK_ERR(ct_pin_check(&p, "1111", NULL, 0), CT_ERR_PIN_POLICY);
	CHECK_ERR(ct_pin_check(&p, "1111", why, 8), CT_ERR_PIN_POLICY);
	CHECK_STR(why, "simple ");
	/* 127 digits pass the default maximum, 128 do not. */
	memset(pin, '5', 127);
	pin[0] = '1';
	pin[127] = '\0';
	CHECK_ERR(ct_pin_check(&p, pin, why, sizeof(why)), 0);
	pin[127] = '5';
	pin[128] = '\0';
	CHECK_ERR(ct_pin_check(&p, pin, why, sizeof(why)), CT_ERR_PIN_POLICY);
	CHECK_STR(why, "PINComplexity/MaximumPINLength: at most 127 characters");
	/* Over the byte cap: refused before any scan. */
	memset(pin, '5', sizeof(pin) - 1);
	pin[sizeof(pin) - 1] = '\0';
	CHECK_ERR(ct_pin_check(&p, pin, why, sizeof(why)), CT_ERR_PIN_POLICY);
	CHECK_STR(why, "PINComplexity/MaximumPINLength: at most 127 characters");
	/* The reason never carries the PIN. */
	CHECK_ERR(ct_pin_check(&p, "98a7", why, sizeof(why)), CT_ERR_PIN_POLICY);
	CHECK(strstr(why, "98a7") == NULL);
}

int main(void)
{
	test_table();
	test_edges();
	return tap_done();
}
