/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PIN rules (see cl-pin.h).  `why` names a rule, never the PIN.
 */
#include "cl-pin.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ct-utf8.h"

__attribute__((format(printf, 3, 4)))
static int refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return CT_ERR_PIN_POLICY;
}

/* The code point of a valid UTF-8 sequence of n bytes. */
static uint32_t code_point(const unsigned char *s, size_t n)
{
	static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
	uint32_t c = s[0] & lead_mask[n];
	size_t i;

	for (i = 1; i < n; i++)
		c = (c << 6) | (s[i] & 0x3f);
	return c;
}

static bool is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

/* What the PIN holds, gathered in one pass. */
struct pin_shape {
	size_t chars;
	bool digit, upper, lower, special;
	bool all_digits, all_same;
};

static int pin_scan(const char *pin, struct pin_shape *sh, char *why, size_t whylen)
{
	const unsigned char *s = (const unsigned char *)pin, *first = s;
	size_t n, first_len = 0;
	uint32_t c;

	memset(sh, 0, sizeof(*sh));
	sh->all_digits = sh->all_same = true;
	while (*s != '\0') {
		n = ct_utf8_seq_len(s);
		if (n == 0)
			return refuse(why, whylen, "PIN: not valid UTF-8");
		c = code_point(s, n);
		if (is_control(c))
			return refuse(why, whylen, "PIN: must not contain control characters");
		if (c >= '0' && c <= '9')
			sh->digit = true;
		else if (c >= 'A' && c <= 'Z')
			sh->upper = true;
		else if (c >= 'a' && c <= 'z')
			sh->lower = true;
		else
			sh->special = true;  /* punctuation, space, any non-ASCII */
		if (!(c >= '0' && c <= '9'))
			sh->all_digits = false;
		if (sh->chars == 0)
			first_len = n;
		else if (n != first_len || memcmp(s, first, n) != 0)
			sh->all_same = false;
		sh->chars++;
		s += n;
	}
	return 0;
}

static int check_class(enum ct_pin_class_rule rule, bool present, const char *node,
		       const char *one, const char *many, char *why, size_t whylen)
{
	if (rule == CT_PIN_CLASS_REQUIRE && !present)
		return refuse(why, whylen, "PINComplexity/%s: must contain %s", node, one);
	if (rule == CT_PIN_CLASS_DISALLOW && present)
		return refuse(why, whylen, "PINComplexity/%s: must not contain %s", node, many);
	return 0;
}

/*
 * The step between neighbouring digits when it is the same all along
 * (1234: +1, 9630: -3), else 0.  Only for all-digit PINs of 3 or more.
 */
static int constant_step(const char *pin)
{
	size_t i, n = strlen(pin);
	int step = pin[1] - pin[0];

	for (i = 2; i < n; i++)
		if (pin[i] - pin[i - 1] != step)
			return 0;
	return step;
}

int ct_pin_check(const struct ct_policy *p, const char *pin, char *why, size_t whylen)
{
	struct pin_shape sh;
	int r, step;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (pin == NULL)
		return refuse(why, whylen, "PIN: missing");
	if (strlen(pin) > CT_PIN_MAX_BYTES)
		return refuse(why, whylen, "PINComplexity/MaximumPINLength: at most %d characters",
			      p->max_pin_length);
	r = pin_scan(pin, &sh, why, whylen);
	if (r != 0)
		return r;
	if (sh.chars < (size_t)p->min_pin_length)
		return refuse(why, whylen, "PINComplexity/MinimumPINLength: at least %d characters",
			      p->min_pin_length);
	if (sh.chars > (size_t)p->max_pin_length)
		return refuse(why, whylen, "PINComplexity/MaximumPINLength: at most %d characters",
			      p->max_pin_length);
	if ((r = check_class(p->digits, sh.digit, "Digits", "a digit", "digits", why,
			     whylen)) != 0 ||
	    (r = check_class(p->uppercase_letters, sh.upper, "UppercaseLetters",
			     "an uppercase letter", "uppercase letters", why, whylen)) != 0 ||
	    (r = check_class(p->lowercase_letters, sh.lower, "LowercaseLetters",
			     "a lowercase letter", "lowercase letters", why, whylen)) != 0 ||
	    (r = check_class(p->special_characters, sh.special, "SpecialCharacters",
			     "a special character", "special characters", why, whylen)) != 0)
		return r;
	if (sh.chars >= 2 && sh.all_same)
		return refuse(why, whylen, "simple PIN: one repeated character (1111)");
	if (sh.all_digits && sh.chars >= 3) {
		step = constant_step(pin);
		if (step == 1 || step == -1)
			return refuse(why, whylen,
				      "simple PIN: a run of consecutive digits (123456)");
		if (step != 0)
			return refuse(why, whylen,
				      "simple PIN: digits in constant steps (1357)");
	}
	return 0;
}
