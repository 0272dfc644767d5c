// Test cases in this file are derived from Project Wycheproof
// (https://github.com/C2SP/wycheproof), file
// testvectors_v1/hmac_sha256_test.json, read at repository commit
// dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166. That file last changed in commit
// e0df04e0c033f2d25c5051dd06230336c7822358, and its test groups give source
// google-wycheproof version 0.9.
// Copyright The Wycheproof Authors, licensed under the Apache License 2.0
// (https://www.apache.org/licenses/LICENSE-2.0). See WYCHEPROOF-NOTICE.
//
// The table keeps 75 of the file's 174 cases: every ModifiedTag case of the
// group with a 32-byte key and a tag truncated to 128 bits, the nine kinds of
// ModifiedTag case with the 16-byte message from the group with full 256-bit
// tags, four Pseudorandom cases of each of those two groups, and the first
// case of each group with a 16-byte or 65-byte key. Values are copied
// unchanged, hex-encoded as in the file.

package vectors

import (
	"crypto/hmac"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wycheproofHMACCase is one MacTest case. tagSize is the tag size of the
// case's test group in bits, and tag is the first tagSize/8 bytes of the
// HMAC-SHA-256 output, or a modified copy of them in an invalid case.
type wycheproofHMACCase struct {
	tcID    int
	comment string
	flags   []string
	result  wycheproofResult
	key     string
	msg     string
	tagSize int
	tag     string
}

var wycheproofHMACCases = []wycheproofHMACCase{
	{
		tcID: 1, comment: "empty message", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "1e225cafb90339bba1b24076d4206c3e79c355805d851682bc818baa4f5a7779",
		msg:     "",
		tagSize: 256,
		tag:     "b175b57d89ea6cb606fb3363f2538abd73a4c00b4a1386905bac809004cf1933",
	},
	{
		tcID: 2, comment: "short message", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "8159fd15133cd964c9a6964c94f0ea269a806fd9f43f0da58b6cd1b33d189b2a",
		msg:     "77",
		tagSize: 256,
		tag:     "dfc5105d5eecf7ae7b8b8de3930e7659e84c4172f2555142f1e568fc1872ad93",
	},
	{
		tcID: 17, comment: "", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "6fa353868c82e5deeedac7f09471a61bf749ab5498239e947e012eee3c82d7c4",
		msg:     "aeed3e4d4cb9bbb60d482e98c126c0f5",
		tagSize: 256,
		tag:     "9ed7f0e73812a27a87a3808ee0c89a6456499e835974ba57c5aab2a0d8c69e93",
	},
	{
		tcID: 27, comment: "long message", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "d115acc9a636915241795f48852052e07b51273ae2448251ec1d0d0f9807f3db",
		msg: "696d2456de853fa028f486fef437b6b6d1b530a8475e299db3a9005ae9cef840" +
			"1985b7d31e172e8f439ccd1ad1ec44c9b86b78f3f243c1305b53bc21abad7a8f" +
			"c5256311bfd34c98e37dfdc649e7ae4bda08cf2994b063c0c7106ed0b02a1f48" +
			"af9191cbfb0d6a953b7e04327dfe8c93779cb574ba9cba575d01674e83621aa0" +
			"c5f400d6e6cd24b301e33c9f3303e73bf357408c1be86c2489c09de998ff2ef3" +
			"2df554f1247d9313ce1a7160115d06f4c18d6556ff7986ef8a55e2adcfa27e4c" +
			"69c71cc2ff01639e9d49bd9ed0687f530ffeb0890132457df2088081bc4a2f7f" +
			"0a9f4dcea2c80d991db7f3747a1803d7619aaf3dd382c69536a0bcdb931cbe",
		tagSize: 256,
		tag:     "82f92977f0b605eaada510ffceb53ad75fde16a8029f1b75b406a84270dbb8b7",
	},
	{
		tcID: 29, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "d9b99f2709a3ca74172cbe93824c1f29b23a0c1e9c21bd851ff2d2c39dbef14e",
	},
	{
		tcID: 33, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "58b99f2709a3ca74172cbe93824c1f29b23a0c1e9c21bd851ff2d2c39dbef14e",
	},
	{
		tcID: 65, comment: "Flipped bit 255 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "d8b99f2709a3ca74172cbe93824c1f29b23a0c1e9c21bd851ff2d2c39dbef1ce",
	},
	{
		tcID: 71, comment: "Flipped bits 63 and 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "d8b99f2709a3caf4172cbe93824c1fa9b23a0c1e9c21bd851ff2d2c39dbef14e",
	},
	{
		tcID: 73, comment: "all bits of tag flipped", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "274660d8f65c358be8d3416c7db3e0d64dc5f3e163de427ae00d2d3c62410eb1",
	},
	{
		tcID: 75, comment: "Tag changed to all zero", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 77, comment: "tag changed to all 1", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 79, comment: "msbs changed in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "58391fa789234af497ac3e1302cc9fa932ba8c9e1ca13d059f7252431d3e71ce",
	},
	{
		tcID: 81, comment: "lsbs changed in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 256,
		tag:     "d9b89e2608a2cb75162dbf92834d1e28b33b0d1f9d20bc841ef3d3c29cbff04f",
	},
	{
		tcID: 82, comment: "empty message", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "7bf9e536b66a215c22233fe2daaa743a898b9acb9f7802de70b40e3d6e43ef97",
		msg:     "",
		tagSize: 128,
		tag:     "f4605585949747de26f3ee98a738b172",
	},
	{
		tcID: 83, comment: "short message", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "e754076ceab3fdaf4f9bcab7d4f0df0cbbafbc87731b8f9b7cd2166472e8eebc",
		msg:     "40",
		tagSize: 128,
		tag:     "0dc00d7217bbafe8d78bf961189b8fd2",
	},
	{
		tcID: 98, comment: "", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "612e837843ceae7f61d49625faa7e7494f9253e20cb3adcea686512b043936cd",
		msg:     "cc37fae15f745a2f40e2c8b192f2b38d",
		tagSize: 128,
		tag:     "b96bcacafac30094f18ac5039e7b3656",
	},
	{
		tcID: 108, comment: "long message", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "ffe559468a1031dfb3ced2e381e74b5821a36d9abf5f2e59895a7fdca0fa56a0",
		msg: "238899a84a3cf15202a1fbef4741e133fb24c009a0cd83854c6d1d7c9266d4c3" +
			"eafe6d1dfc18f13845ccdad7fe277627b5fd5ff2555ce6dfde1ee078540a0a35" +
			"90c6d9bf2fb63ba9afbe9380e797be7cd017645c5a3613eef38ef89e3b7461e6" +
			"e700ff2b4deef5636c9d2198b143f797ca1820a3dcc5d462ebf4a8c4c09eb202" +
			"a23592eb9524082c79adda8fcd56d256041a26bf8f523962ba911ce5a5786570" +
			"d65be3c4df722ed8830302065febdf944715298a1fbb7d10b68d7da2bf889324" +
			"314ce51e815c7fbf03aa0a8358aff3a86eb7a33f9a4923660db3047e793bebb0" +
			"c6918f4395d400381723fdae2832c36efc8e368a68f30f6351c3bc942cd560",
		tagSize: 128,
		tag:     "a830b313f4936dea56a3aefd6a3ebe7d",
	},
	{
		tcID: 109, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d28b42096d80f45f826b44a9d5607de7",
	},
	{
		tcID: 110, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d9b99f2709a3ca74172cbe93824c1f29",
	},
	{
		tcID: 111, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d18b42096d80f45f826b44a9d5607de7",
	},
	{
		tcID: 112, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "dab99f2709a3ca74172cbe93824c1f29",
	},
	{
		tcID: 113, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "538b42096d80f45f826b44a9d5607de7",
	},
	{
		tcID: 114, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "58b99f2709a3ca74172cbe93824c1f29",
	},
	{
		tcID: 115, comment: "Flipped bit 8 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38a42096d80f45f826b44a9d5607de7",
	},
	{
		tcID: 116, comment: "Flipped bit 8 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b89f2709a3ca74172cbe93824c1f29",
	},
	{
		tcID: 117, comment: "Flipped bit 31 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42896d80f45f826b44a9d5607de7",
	},
	{
		tcID: 118, comment: "Flipped bit 31 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99fa709a3ca74172cbe93824c1f29",
	},
	{
		tcID: 119, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096c80f45f826b44a9d5607de7",
	},
	{
		tcID: 120, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2708a3ca74172cbe93824c1f29",
	},
	{
		tcID: 121, comment: "Flipped bit 33 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096f80f45f826b44a9d5607de7",
	},
	{
		tcID: 122, comment: "Flipped bit 33 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f270ba3ca74172cbe93824c1f29",
	},
	{
		tcID: 123, comment: "Flipped bit 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f4df826b44a9d5607de7",
	},
	{
		tcID: 124, comment: "Flipped bit 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3caf4172cbe93824c1f29",
	},
	{
		tcID: 125, comment: "Flipped bit 64 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f836b44a9d5607de7",
	},
	{
		tcID: 126, comment: "Flipped bit 64 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74162cbe93824c1f29",
	},
	{
		tcID: 127, comment: "Flipped bit 71 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f026b44a9d5607de7",
	},
	{
		tcID: 128, comment: "Flipped bit 71 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74972cbe93824c1f29",
	},
	{
		tcID: 129, comment: "Flipped bit 77 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f824b44a9d5607de7",
	},
	{
		tcID: 130, comment: "Flipped bit 77 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74170cbe93824c1f29",
	},
	{
		tcID: 131, comment: "Flipped bit 80 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b45a9d5607de7",
	},
	{
		tcID: 132, comment: "Flipped bit 80 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbf93824c1f29",
	},
	{
		tcID: 133, comment: "Flipped bit 96 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a9d4607de7",
	},
	{
		tcID: 134, comment: "Flipped bit 96 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93834c1f29",
	},
	{
		tcID: 135, comment: "Flipped bit 97 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a9d7607de7",
	},
	{
		tcID: 136, comment: "Flipped bit 97 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93804c1f29",
	},
	{
		tcID: 137, comment: "Flipped bit 103 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a955607de7",
	},
	{
		tcID: 138, comment: "Flipped bit 103 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93024c1f29",
	},
	{
		tcID: 139, comment: "Flipped bit 120 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a9d5607de6",
	},
	{
		tcID: 140, comment: "Flipped bit 120 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93824c1f28",
	},
	{
		tcID: 141, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a9d5607de5",
	},
	{
		tcID: 142, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93824c1f2b",
	},
	{
		tcID: 143, comment: "Flipped bit 126 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a9d5607da7",
	},
	{
		tcID: 144, comment: "Flipped bit 126 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93824c1f69",
	},
	{
		tcID: 145, comment: "Flipped bit 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f45f826b44a9d5607d67",
	},
	{
		tcID: 146, comment: "Flipped bit 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3ca74172cbe93824c1fa9",
	},
	{
		tcID: 147, comment: "Flipped bits 0 and 64 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d28b42096d80f45f836b44a9d5607de7",
	},
	{
		tcID: 148, comment: "Flipped bits 0 and 64 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d9b99f2709a3ca74162cbe93824c1f29",
	},
	{
		tcID: 149, comment: "Flipped bits 31 and 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42896d80f4df826b44a9d5607de7",
	},
	{
		tcID: 150, comment: "Flipped bits 31 and 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99fa709a3caf4172cbe93824c1f29",
	},
	{
		tcID: 151, comment: "Flipped bits 63 and 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d38b42096d80f4df826b44a9d5607d67",
	},
	{
		tcID: 152, comment: "Flipped bits 63 and 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d8b99f2709a3caf4172cbe93824c1fa9",
	},
	{
		tcID: 153, comment: "all bits of tag flipped", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "2c74bdf6927f0ba07d94bb562a9f8218",
	},
	{
		tcID: 154, comment: "all bits of tag flipped", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "274660d8f65c358be8d3416c7db3e0d6",
	},
	{
		tcID: 155, comment: "Tag changed to all zero", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "00000000000000000000000000000000",
	},
	{
		tcID: 156, comment: "Tag changed to all zero", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "00000000000000000000000000000000",
	},
	{
		tcID: 157, comment: "tag changed to all 1", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 158, comment: "tag changed to all 1", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 159, comment: "msbs changed in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "530bc289ed0074df02ebc42955e0fd67",
	},
	{
		tcID: 160, comment: "msbs changed in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "58391fa789234af497ac3e1302cc9fa9",
	},
	{
		tcID: 161, comment: "lsbs changed in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "",
		tagSize: 128,
		tag:     "d28a43086c81f55e836a45a8d4617ce6",
	},
	{
		tcID: 162, comment: "lsbs changed in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key:     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		msg:     "000102030405060708090a0b0c0d0e0f",
		tagSize: 128,
		tag:     "d9b89e2608a2cb75162dbf92834d1e28",
	},
	{
		tcID: 163, comment: "short key", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "a349ac0a9f9f74e48e099cc3dbf9a9c9",
		msg:     "",
		tagSize: 256,
		tag:     "3a8437b877b75cc08a4d8d7559a8fc6869a58c713da63d1d4b350d59b597e30c",
	},
	{
		tcID: 166, comment: "short key", flags: []string{"Pseudorandom"}, result: resultValid,
		key:     "e34f15c7bd819930fe9d66e0c166e61c",
		msg:     "",
		tagSize: 128,
		tag:     "1d765ab9e29892f7bfec2975ad4bc2dc",
	},
	{
		tcID: 169, comment: "long key", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "8a0c46eb8a2959e39865330079763341e7439dab149694ee57e0d61ec73d947e" +
			"1d5301cd974e18a5e0d1cf0d2c37e8aadd9fd589d57ef32e47024a99bc3f70c0" +
			"77",
		msg:     "",
		tagSize: 256,
		tag:     "f5bfb940561fb4db73ebba49bf2e4893bb0cca618a71b7ecf6aca38231e167ea",
	},
	{
		tcID: 172, comment: "long key", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "813e0c078c221375e80590ace6774eafd2d2c242350988d02efa550e05aecbe1" +
			"00c1b8bf154c932cf9e57177015c816c42bc7fbc71ceaa5328c7316b7f0f3033" +
			"0f",
		msg:     "",
		tagSize: 128,
		tag:     "bb6ab66f51e53fa086c9c61a26ca27e0",
	},
}

// TestWycheproofHMAC runs the cases against crypto/hmac with SHA-256. As
// Wycheproof specifies for truncated MACs, the expected tag is the leftmost
// tagSize/8 bytes of the full output. A valid case's tag must match with
// hmac.Equal, and an invalid case's modified tag must not.
func TestWycheproofHMAC(t *testing.T) {
	ran := 0
	for _, tc := range wycheproofHMACCases {
		t.Run(wycheproofSubtest(tc.tcID), func(t *testing.T) {
			label := wycheproofLabel(tc.tcID, tc.comment, tc.flags, tc.result)
			tag := mustHex(t, tc.tag)
			require.Equal(t, tc.tagSize/8, len(tag), "tag length in bytes: %s", label)

			mac := hmac.New(sha256.New, mustHex(t, tc.key))
			mac.Write(mustHex(t, tc.msg))
			computed := mac.Sum(nil)[:tc.tagSize/8]

			if tc.result == resultValid {
				assert.True(t, hmac.Equal(computed, tag), "tag does not match: %s", label)
			} else {
				assert.False(t, hmac.Equal(computed, tag), "modified tag matches: %s", label)
			}
			ran++
		})
	}
	require.NotZero(t, ran, "no Wycheproof HMAC cases ran")
}
