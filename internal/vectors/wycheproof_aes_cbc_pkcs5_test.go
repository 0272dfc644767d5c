// Test cases in this file are derived from Project Wycheproof
// (https://github.com/C2SP/wycheproof), file
// testvectors_v1/aes_cbc_pkcs5_test.json, read at repository commit
// dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166. That file last changed in commit
// e0df04e0c033f2d25c5051dd06230336c7822358, and its test groups give source
// google-wycheproof version 0.9.
// Copyright The Wycheproof Authors, licensed under the Apache License 2.0
// (https://www.apache.org/licenses/LICENSE-2.0). See WYCHEPROOF-NOTICE.
//
// The table keeps 66 of the file's 216 cases: every BadPadding case with a
// 128-bit key, the NoPadding case of each key size, two BadPadding cases for
// each of the 192-bit and 256-bit keys, and four Pseudorandom cases (0, 15,
// 16 and 80 bytes of plaintext) for each key size. The BadPadding cases
// repeat the same nine kinds of malformed padding for every key size, and
// Parley's padding check does not depend on the key. Values are copied
// unchanged, hex-encoded as in the file.

package vectors

import (
	"encoding/hex"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/cbc"
)

// wycheproofCBCCase is one IndCpaTest case. In an invalid case, ct is a
// ciphertext whose decryption has malformed padding, or is empty.
type wycheproofCBCCase struct {
	tcID    int
	comment string
	flags   []string
	result  wycheproofResult
	key     string
	iv      string
	msg     string
	ct      string
}

var wycheproofCBCCases = []wycheproofCBCCase{
	{
		tcID: 1, comment: "empty message", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "e34f15c7bd819930fe9d66e0c166e61c",
		iv:  "da9520f7d3520277035173299388bee2",
		msg: "",
		ct:  "b10ab60153276941361000414aed0a9d",
	},
	{
		tcID: 2, comment: "message size divisible by block size", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "e09eaa5a3f5e56d279d5e7a03373f6ea",
		iv:  "c9ee3cd746bf208c65ca9e72a266d54f",
		msg: "ef4eab37181f98423e53e947e7050fd0",
		ct:  "d1fa697f3e2e04d64f1a0da203813ca5bc226a0b1d42287b2a5b994a66eaf14a",
	},
	{
		tcID: 19, comment: "small plaintext size", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "501d81ebf912ddb87fbe3b7aac1437bc",
		iv:  "90f5cf4fbfd2e2a1ab8eef402617bd5c",
		msg: "2368e3c3636b5e8e94d2081adbf798",
		ct:  "fed05321d11d978e2ec32527ecfce06c",
	},
	{
		tcID: 24, comment: "plaintext size > 16", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "37e4dbdc436258d5a9adb9f205c77cf3",
		iv:  "08e9410de244d3f40607ebae38fa74e7",
		msg: "24a874aec067116ad22eb55846ded3f5e86919a135585c929a86d92b2958fed1" +
			"10e52e33804887243584a6a94402cc9a105e0c940ec335bd2890f16dcce3fc8b" +
			"d02873c80ade6f1ac08683130bcca454",
		ct: "1d1391593a336be4b207295ad0542bc4ef2f39053066e12c38f71603f377fd42" +
			"f4f0b2b5a42cdfeaee2af039f06fcf347abe171af3157ff07f3cdd3b33e11a60" +
			"caecf9890325c132eeb66ab847278d165c26bca7c30486bb2fd83b63c5ff7ae0",
	},
	{
		tcID: 25, comment: "empty ciphertext", flags: []string{"NoPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "",
	},
	{
		tcID: 26, comment: "Using zero padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "aa62606a287476777b92d8e4c4e53028",
	},
	{
		tcID: 27, comment: "Using zero padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "ada437b682c92384b6c23ec10a21b3d8",
	},
	{
		tcID: 28, comment: "Using zero padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "303132333435363738396162636465",
		ct:  "26c5b3e540ee3dd6b52d14afd01a44f8",
	},
	{
		tcID: 29, comment: "Using zero padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbc0deb417e98aba3ee12fea2921f8ae51",
	},
	{
		tcID: 30, comment: "Using zero padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecb1188ff22f6563f6173440547d1e0dfd8",
	},
	{
		tcID: 31, comment: "Using zero padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"a1322b61f608c69f46d6e6b450bc1fde",
	},
	{
		tcID: 32, comment: "Using a padding with 0xff instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "726570a34cea08139d9f836579102a0e",
	},
	{
		tcID: 33, comment: "Using a padding with 0xff instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "c8ef7ac3fd659ce7157d72a25f0a5048",
	},
	{
		tcID: 34, comment: "Using a padding with 0xff instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "303132333435363738396162636465",
		ct:  "6123c889bbc766acd4bca4cb982f9978",
	},
	{
		tcID: 35, comment: "Using a padding with 0xff instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecb442cd16f7410fca70924b573f7967e84",
	},
	{
		tcID: 36, comment: "Using a padding with 0xff instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbb20f899b0e7c1d65b931af94b5c44c25",
	},
	{
		tcID: 37, comment: "Using a padding with 0xff instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"3c2f51db27813b3ba2a63dac2b665897",
	},
	{
		tcID: 38, comment: "Using ISO/IEC 7816-4 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "50aeed98a820c5a037a5aa4d4ef3090b",
	},
	{
		tcID: 39, comment: "Using ISO/IEC 7816-4 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "25ee339006f948f42713543c62467ef9",
	},
	{
		tcID: 40, comment: "Using ISO/IEC 7816-4 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "303132333435363738396162636465",
		ct:  "97914574676ed5b8db0b6f3931195b3f",
	},
	{
		tcID: 41, comment: "Using ISO/IEC 7816-4 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecb2874a1e2d28dd18e5573df9fd59fd789",
	},
	{
		tcID: 42, comment: "Using ISO/IEC 7816-4 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbb547c4fddbdcd3e02f438a2e48587594",
	},
	{
		tcID: 43, comment: "Using ISO/IEC 7816-4 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"8e5fef15502ed315a7b8c7f483168431",
	},
	{
		tcID: 44, comment: "The length of the padding is longer than 1 block", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "d17ccbb26f0aa95f397b20063547349bac24c5429cbea591e96595cccc11451b",
	},
	{
		tcID: 45, comment: "The length of the padding is longer than 1 block", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "fc07025e81d43efa85f92afdf8781b1e88598e12d6812df43733e93414b9e901",
	},
	{
		tcID: 46, comment: "The length of the padding is longer than 1 block", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "303132333435363738396162636465",
		ct:  "deb1746f4e9e0be4a21825b071b6e93303031651e0c59091e2ae0fbcce11b987",
	},
	{
		tcID: 47, comment: "The length of the padding is longer than 1 block", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct: "fbcbdfdaaf17980be939c0b243266ecb563d35096fde10ccb6f768438c9eb4ec" +
			"90f399b76924c716e9f94143263306c6",
	},
	{
		tcID: 48, comment: "The length of the padding is longer than 1 block", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct: "fbcbdfdaaf17980be939c0b243266ecbc8fd2e2c5362acf5212bd47859aa827d" +
			"8469b87b0e6adafe3dba98c1885b6345",
	},
	{
		tcID: 49, comment: "The length of the padding is longer than 1 block", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"11eec58e0bc17750fed7cb2219afb5aa76b93855aee87afebea0856414829a3a",
	},
	{
		tcID: 50, comment: "Using ANSI X.923 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "ca5dd2d09bd56eec9e8acaeca20af68e",
	},
	{
		tcID: 51, comment: "Using ANSI X.923 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "01e53a5ec9b0957c45f79ed0f4b2b982",
	},
	{
		tcID: 52, comment: "Using ANSI X.923 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbd3909bb3457e5b946ff709be9a2ed84d",
	},
	{
		tcID: 53, comment: "Using ANSI X.923 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbc5ab3ab637166a6a067b82b5672c08f8",
	},
	{
		tcID: 54, comment: "Using ANSI X.923 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"cc51f7f4500445a15cc476a7d262c78e",
	},
	{
		tcID: 55, comment: "Using ISO 10126 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "ba0726bd6dea11382b19c842e2ddead2",
	},
	{
		tcID: 56, comment: "Using ISO 10126 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "22f18b85c729903744fb8db5ed2840d4",
	},
	{
		tcID: 57, comment: "Using ISO 10126 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecb6b103fbe43519a18880b7e6d9153e1c2",
	},
	{
		tcID: 58, comment: "Using ISO 10126 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbe00bdb15b8a61285447498700d35e0c6",
	},
	{
		tcID: 59, comment: "Using ISO 10126 padding instead of PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"37f7563e3977426b9c60ff8156e89c1c",
	},
	{
		tcID: 60, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "d17ccbb26f0aa95f397b20063547349b",
	},
	{
		tcID: 61, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "2056dfa339fa00be6836999411a98c76",
	},
	{
		tcID: 62, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "303132333435363738396162636465",
		ct:  "f92628f6418d8d9c9afac233861b3835",
	},
	{
		tcID: 63, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbc0c41093b495a7d5a080d976493fd0e7",
	},
	{
		tcID: 64, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecb6770446a5ccaa26f7d4f970cc5834eba",
	},
	{
		tcID: 65, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"c71deff2b83c2bd536231d13fb767205",
	},
	{
		tcID: 66, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "",
		ct:  "4ff3e623fdd432608c183f40864177af",
	},
	{
		tcID: 67, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "6162636465666768",
		ct:  "6a1ef1e6ae6a788777aabd9ccf3cf43a",
	},
	{
		tcID: 68, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbee1345cd513161b241f4ae2799b0327f",
	},
	{
		tcID: 69, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "3031323334353637383941424344454647",
		ct:  "fbcbdfdaaf17980be939c0b243266ecbe0d539beef6f2d4f7cda4fd9f4f05570",
	},
	{
		tcID: 70, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct: "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005" +
			"bde40966f0eb8b4f598c61158aebc9d3",
	},
	{
		tcID: 71, comment: "Using no padding at all", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "30313233343536373839414243444546",
		ct:  "fbcbdfdaaf17980be939c0b243266ecb",
	},
	{
		tcID: 72, comment: "Using no padding at all", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "db4f3e5e3795cc09a073fa6a81e5a6bc",
		iv:  "23468aa734f5f0f19827316ff168e94f",
		msg: "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
		ct:  "87ff6a2fc6920ce4769cbf6532f84dde389de7c3b693c5e0ceff182842411005",
	},
	{
		tcID: 73, comment: "empty message", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "3d6bf9edae6d881eade0ff8c7076a4835b71320c1f36b631",
		iv:  "db20f9a6f4d6b4e478f1a4b9d4051d34",
		msg: "",
		ct:  "ff0c315873b4b1872abef2353b792ef0",
	},
	{
		tcID: 74, comment: "message size divisible by block size", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "f4bfa5aa4f0f4d62cf736cd2969c43d580fdb92f2753bedb",
		iv:  "69a76dc4da64d89c580eb75ae975ec39",
		msg: "0e239f239705b282ce2200fe20de1165",
		ct:  "7dbd573e4db58a318edfe29f199d8cda538a49f36486337c2711163e55fd5d0b",
	},
	{
		tcID: 91, comment: "small plaintext size", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "850fc859e9f7b89a367611dee6698f33962d8245ca8dc331",
		iv:  "ed6596c86b98123ad2f3c573e974d051",
		msg: "586f4f171af116519061a8e0e77940",
		ct:  "9cafecff2a28d02f732573f65a2cadca",
	},
	{
		tcID: 96, comment: "plaintext size > 16", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "1bb4ed0e8435e20729f48c1b7e3af6e69e4cebf0731131cf",
		iv:  "059685f59247eea5d3f2a1532cb9d6b2",
		msg: "6d29dab6a0568c961ab3c825e0d89940cef06c63ade7e557cd3e92792eaf23c8" +
			"cd5a0f029c63b1cdce4754ccfad7a73c7c9e50ffe081e9136f5e9a424077339d" +
			"e12ea43572afe1b034e833e5887763aa",
		ct: "27ad00313f328f0d3e6c3238ab560cb7243a9f54f7dff79b5a7a879439993d45" +
			"8017f09e8d3f694098bc19e61fe54085138664abb51a5b328cf2c9ce5d59726f" +
			"ff5e1b7553c143d9e0493c51cab23ff2ecdad91bd72bb12b32f3b611f9a4225d",
	},
	{
		tcID: 97, comment: "empty ciphertext", flags: []string{"NoPadding"}, result: resultInvalid,
		key: "9e20311eaf2eaf3e3a04bc52564e67313c84940a2996e3f2",
		iv:  "a3fe6f76e8f582830bbe83574a7bb729",
		msg: "",
		ct:  "",
	},
	{
		tcID: 132, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "9e20311eaf2eaf3e3a04bc52564e67313c84940a2996e3f2",
		iv:  "a3fe6f76e8f582830bbe83574a7bb729",
		msg: "",
		ct:  "f1605abb4e6628347c616da350fe2430",
	},
	{
		tcID: 141, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "9e20311eaf2eaf3e3a04bc52564e67313c84940a2996e3f2",
		iv:  "a3fe6f76e8f582830bbe83574a7bb729",
		msg: "3031323334353637383941424344454647",
		ct:  "a7cfcdabcc5a2736a2708c1cb0b61432dd1bb2e98102322fb1aa92c979d4c7c3",
	},
	{
		tcID: 145, comment: "empty message", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "7bf9e536b66a215c22233fe2daaa743a898b9acb9f7802de70b40e3d6e43ef97",
		iv:  "eb38ef61717e1324ae064e86f1c3e797",
		msg: "",
		ct:  "e7c166554d1bb32792c981fa674cc4d8",
	},
	{
		tcID: 146, comment: "message size divisible by block size", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "612e837843ceae7f61d49625faa7e7494f9253e20cb3adcea686512b043936cd",
		iv:  "9ec7b863ac845cad5e4673da21f5b6a9",
		msg: "cc37fae15f745a2f40e2c8b192f2b38d",
		ct:  "299295be47e9f5441fe83a7a811c4aeb2650333e681e69fa6b767d28a6ccf282",
	},
	{
		tcID: 163, comment: "small plaintext size", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "c19bdf314c6cf64381425467f42aefa17c1cc9358be16ce31b1d214859ce86aa",
		iv:  "35bc82e3503b95044c6406a8b2c2ecff",
		msg: "5d066a92c300e9b6ddd63a7c13ae33",
		ct:  "fdcfa77f5bd09326b4c11f9281b72474",
	},
	{
		tcID: 168, comment: "plaintext size > 16", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "95aaa5df4ccb529e9b2dc929e770c1f419f8e8933bfb36f632f532b3dcad2ba6",
		iv:  "f88551c6aa197f9ad80251c2e32d7663",
		msg: "f5735567b7c8312f116517788b091cc6cb1d474b010a77910154fd11c3b2f0cd" +
			"19f713b63d66492e8cc7ee8ad714783f46c305a26416e11ff4b99ec5ce255059" +
			"3cc5ec1b86ba6a66d10f82bdff827055",
		ct: "5074f46f1a6d0eeff070d623172eb15bbfc83e7d16466a00c9da5f4545eecf44" +
			"adbf60cf9ac9aa1a3ec5eca22d4a34a7b21ca44d214c9d04ab1cb0b2c07001de" +
			"9adb46f3c12f8f48436b516a409bf6cbdf1871dee3115d5cbb7943558b68867e",
	},
	{
		tcID: 169, comment: "empty ciphertext", flags: []string{"NoPadding"}, result: resultInvalid,
		key: "7c78f34dbce8f0557d43630266f59babd1cb92ba624bd1a8f45a2a91c84a804a",
		iv:  "f010f61c31c9aa8fa0d5be5f6b0f2f70",
		msg: "",
		ct:  "",
	},
	{
		tcID: 204, comment: "Padding is longer than the message", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "7c78f34dbce8f0557d43630266f59babd1cb92ba624bd1a8f45a2a91c84a804a",
		iv:  "f010f61c31c9aa8fa0d5be5f6b0f2f70",
		msg: "",
		ct:  "524236e25956e950713bec0d3d579068",
	},
	{
		tcID: 213, comment: "Invalid PKCS #5 padding", flags: []string{"BadPadding"}, result: resultInvalid,
		key: "7c78f34dbce8f0557d43630266f59babd1cb92ba624bd1a8f45a2a91c84a804a",
		iv:  "f010f61c31c9aa8fa0d5be5f6b0f2f70",
		msg: "3031323334353637383941424344454647",
		ct:  "8881e9e02fa9e3037b397957ba1fb7ce0714c8de200b27ac91d9257fc93c13be",
	},
}

// TestWycheproofCBC runs the cases against internal/cbc. For a valid case,
// cbc.Encrypt must return ct and cbc.Decrypt must return msg. For an invalid
// case, cbc.Decrypt must return no plaintext and cbc.ErrInvalidLength for the
// empty ciphertext (flag NoPadding) or cbc.ErrInvalidPadding for malformed
// padding (flag BadPadding).
func TestWycheproofCBC(t *testing.T) {
	ran := 0
	for _, tc := range wycheproofCBCCases {
		t.Run(wycheproofSubtest(tc.tcID), func(t *testing.T) {
			label := wycheproofLabel(tc.tcID, tc.comment, tc.flags, tc.result)
			key := mustHex(t, tc.key)
			iv := mustHex(t, tc.iv)
			ct := mustHex(t, tc.ct)

			plaintext, err := cbc.Decrypt(key, iv, ct)

			if tc.result == resultValid {
				require.NoError(t, err, "cbc.Decrypt: %s", label)
				assert.Equal(t, tc.msg, hex.EncodeToString(plaintext), "cbc.Decrypt: %s", label)

				ciphertext, err := cbc.Encrypt(key, iv, mustHex(t, tc.msg))
				require.NoError(t, err, "cbc.Encrypt: %s", label)
				assert.Equal(t, tc.ct, hex.EncodeToString(ciphertext), "cbc.Encrypt: %s", label)
				ran++
				return
			}

			assert.Nil(t, plaintext, label)
			switch {
			case slices.Contains(tc.flags, "NoPadding"):
				assert.ErrorIs(t, err, cbc.ErrInvalidLength, label)
			case slices.Contains(tc.flags, "BadPadding"):
				assert.ErrorIs(t, err, cbc.ErrInvalidPadding, label)
			default:
				assert.Error(t, err, label)
			}
			ran++
		})
	}
	require.NotZero(t, ran, "no Wycheproof AES-CBC cases ran")
}
