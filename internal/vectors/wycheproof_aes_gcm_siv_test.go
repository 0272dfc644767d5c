// Test cases in this file are derived from Project Wycheproof
// (https://github.com/C2SP/wycheproof), file
// testvectors_v1/aes_gcm_siv_test.json, read at repository commit
// dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166. That file last changed in commit
// e0df04e0c033f2d25c5051dd06230336c7822358, and its test groups give source
// google-wycheproof version 0.9rc5.
// Copyright The Wycheproof Authors, licensed under the Apache License 2.0
// (https://www.apache.org/licenses/LICENSE-2.0). See WYCHEPROOF-NOTICE.
//
// The table keeps 82 of the file's 202 cases: every invalid case (flag
// ModifiedTag), every WrappedIv case, whose counter wraps modulo 2^32, and,
// for each of the 128-bit and 256-bit keys, two RFC 8452 cases (flag Ktv)
// and one Pseudorandom case. Values are copied unchanged, hex-encoded as in
// the file.

package vectors

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/gcmsiv"
)

// wycheproofGCMSIVCase is one AeadTest case. iv is the 12-byte nonce, ct the
// ciphertext without the tag and tag the 16-byte tag that follows it.
type wycheproofGCMSIVCase struct {
	tcID    int
	comment string
	flags   []string
	result  wycheproofResult
	key     string
	iv      string
	aad     string
	msg     string
	ct      string
	tag     string
}

var wycheproofGCMSIVCases = []wycheproofGCMSIVCase{
	{
		tcID: 1, comment: "RFC 8452", flags: []string{"Ktv"}, result: resultValid,
		key: "01000000000000000000000000000000",
		iv:  "030000000000000000000000",
		aad: "",
		msg: "",
		ct:  "",
		tag: "dc20e2d83f25705bb49e439eca56de25",
	},
	{
		tcID: 15, comment: "RFC 8452", flags: []string{"Ktv"}, result: resultValid,
		key: "01000000000000000000000000000000",
		iv:  "030000000000000000000000",
		aad: "010000000000000000000000000000000200",
		msg: "0300000000000000000000000000000004000000",
		ct:  "6bb0fecf5ded9b77f902c7d5da236a4391dd0297",
		tag: "24afc9805e976f451e6d87f6fe106514",
	},
	{
		tcID: 56, comment: "", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "62b3881832d428b6f900cacfa0fc5cd8",
		iv:  "f4cb98cc99e7bc424a98384e",
		aad: "",
		msg: "0b91dd36a6fa967a257b267d12cbc20b56ed615b205d044a04b4ae8aaa365bd2" +
			"9a3b8f47a0828ef63324d1ff924c68090abaaad78df602edee0621b823f94c35" +
			"ada7b62d81f21dd9945d1abb4ef882cfab12c2e4cec705df3d669183fe681753" +
			"503a99a871637953537ef479b1f62de7819dbb5c950de7722090942d38129aef" +
			"a7",
		ct: "c170d7e25ea02a06ffcd568ba4b4577d0ad151ebdbfac54c2bc41228e6bcc827" +
			"2ab8c18f723ef6e6a16f81818881129813b433a1b925b35e6e1d4cdc38ba06be" +
			"f6661a79f4e05e393deea830f28c412328276e002c98a310bca5d16dbfaa92bf" +
			"60b2050be7ffbe6ade570d82216c2b90d4a8d55acff48265af1c0cf55376ba62" +
			"a5",
		tag: "4f71f5f4e8f02f6c443ae1976317538e",
	},
	{
		tcID: 63, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "010101010101010101010101",
		aad: "395f4091b410c373073bcdc79e02d3af",
		msg: "43488548d88e6f774bcd2d52c18fbcc933a4e9a9613ff3edbe959ec59522adc0" +
			"98b3133b8d17b9e9dad631ad33752c95",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 64, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "616b2dff4d665e5f7ab890723dd981b1",
		msg: "f012c6a7eb0e8af5bc45e015e7680a693dc709b95383f6a94babec1bc36e4be3" +
			"cf4f55a31a94f11c6c3f90eed99682bc",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 65, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "030303030303030303030303",
		aad: "387a8997605fd04ae8951c4759087864",
		msg: "71ceee58179d6fb968521e9594dbf98cc0040f6aa38fe873c32a9b122d6cbfd5" +
			"1aa4778b3f4f37be7348690d97e2468b",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "fefffffffefffffffefffffffeffffff",
	},
	{
		tcID: 66, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "060606060606060606060606",
		aad: "6783b0d5e9d8a2a7274065797097d1ae",
		msg: "2e14f9e9a09ea204557367898a80dcad117af3666bea25762b70633a9f3614fb" +
			"e631ba617c371fd5566d5e613496e69f",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "ffffff7f00112233445566778899aabb",
	},
	{
		tcID: 67, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "010101010101010101010101",
		aad: "2933810c146f4f7dd146dd43f35199c6",
		msg: "27fac75879c9d87cd52a0793137ba792f6f145148158eb538f2081e09cd03159" +
			"86a7025045ecbb2ca1bb18a17bfcd567",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "ffffffffffffff7f0011223344556677",
	},
	{
		tcID: 68, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "03f0070a79b12303672101636f328ab0",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 69, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "99c810afc11b77d4412cd9b97af70ad5",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 70, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "cfa976557c23db250f68942d98eb419f",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 71, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "59f5f5db9d3ba92bf1afc586572f3e78",
		msg: "03c0e39b77bd62d32568f4c86c90bfdb",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 72, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "5359162097d4b81eb7e6cb03e1f553f7",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 73, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "3156ed845ca9b8ca81bb82ea5cdbbbce",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 74, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "11305e865df4324a48b699077c39d86c",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 75, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "bec93c483172b077b02e317e851dde66",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 76, comment: "Flipped bit 8 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "24190fbe5aaf71dc28fbfa81fa2ab5cd",
		msg: "03c0e39b77bd62d32568f4c86c90bfdb",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 77, comment: "Flipped bit 8 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "c341c3c57ca93a5ec1b6719ac9c1ab61",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 78, comment: "Flipped bit 31 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "9a4547103c602b7162eff0ddd418eac4",
		msg: "03c0e39b77bd62d32568f4c86c90bfdb",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 79, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "cedee8dfdbd2c03788bb9bc2ea878ba6",
		msg: "03c0e39b77bd62d32568f4c86c90bfdb",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 80, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "a9186b3edd3045a31de4849daacca427",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 81, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "fbc2f26495e24fd7edf5af3dbcc51de2",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 82, comment: "Flipped bit 56 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "1a1f7bf779e3a8e27682d3a11775521c",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 83, comment: "Flipped bit 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "0b3af1bf11c433e96b1999fb61b914db",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 84, comment: "Flipped bit 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "eb43f1330ba8dd9e58db1eed9a922379",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 85, comment: "Flipped bit 64 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "7667351fcc287d928b13b0487faf25cb",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 86, comment: "Flipped bit 88 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "1837f7e3a8bda9ced67276df7d502660",
		msg: "03c0e39b77bd62d32568f4c86c90bfdb",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 87, comment: "Flipped bit 96 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "572fe3c8f4252b406a29de54f8d647b9",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 88, comment: "Flipped bit 97 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "0d9a70f424c1b7bef5f2815936e1066f",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 89, comment: "Flipped bit 97 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "b4bd54fffa65f860e2dd946c5acbd1bf",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 90, comment: "Flipped bit 97 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "aa2dcf95c116899caac81ffe849db175",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 91, comment: "Flipped bit 120 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "ebb6ae55450b6ec1729d8e665593ec6b",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 92, comment: "Flipped bit 120 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "f6d899626b78e9a2add3b84ce32616a5",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 93, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "4b75706129f4a319104f855c9d669468",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 94, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "5a500a23cdceac75d7e09a9aa44ccbe2",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 95, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "b0bfb9b0540f406b3f4c24645c271267",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 96, comment: "Flipped bit 126 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "8490a59a5b38c19f64ae118d0b365d67",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 97, comment: "Flipped bit 126 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "ac6bca20c9c70424039906daa8fe89e6",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 98, comment: "Flipped bit 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "6e180bfa1433aeadce7030018bc613a5",
		msg: "0fed395814f1750a",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 99, comment: "Flipped bit 0..127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "edc723bedd0078696acdea005c74b841",
		msg: "63995888995b338c",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 100, comment: "RFC 8452", flags: []string{"Ktv"}, result: resultValid,
		key: "0100000000000000000000000000000000000000000000000000000000000000",
		iv:  "030000000000000000000000",
		aad: "",
		msg: "",
		ct:  "",
		tag: "07f5f4169bbf55a8400cd47ea6fd400f",
	},
	{
		tcID: 114, comment: "RFC 8452", flags: []string{"Ktv"}, result: resultValid,
		key: "0100000000000000000000000000000000000000000000000000000000000000",
		iv:  "030000000000000000000000",
		aad: "010000000000000000000000000000000200",
		msg: "0300000000000000000000000000000004000000",
		ct:  "43dd0163cdb48f9fe3212bf61b201976067f342b",
		tag: "b879ad976d8242acc188ab59cabfe307",
	},
	{
		tcID: 138, comment: "", flags: []string{"Pseudorandom"}, result: resultValid,
		key: "a5569e729a69b24ba6e0ff15c4627897436824c941e9d00b2e93fddc4ba77657",
		iv:  "564dee49ab00d240fc1068c3",
		aad: "d19f2d989095f7ab03a5fde84416e00c0e",
		msg: "87b3a4d7b26d8d3203a0de1d64ef82e3",
		ct:  "f83e3b4333400d6393d085fe947057c4",
		tag: "7a30291bb506ae3961f61d683c9d94d1",
	},
	{
		tcID: 164, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		iv:  "010101010101010101010101",
		aad: "40c32e00c2fdab59c1a1c573b46b5068",
		msg: "bdd411814564c4218d224d50591c818855a862a0a519ac0b3d71a2edb12aa71e" +
			"b81959bcc6b84c45aa424c9aca0b7bdd",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 165, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		iv:  "000000000000000000000000",
		aad: "2cc3a1973e0560f7224a394e52fa8488",
		msg: "d04846a01f472262e60a1cb4cfcbdcb05c3f819628a3a49395c5dae96c434b24" +
			"17ce071699afa74a60c32c0bafd9c01a",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 166, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		iv:  "010101010101010101010101",
		aad: "2e34d12622a441b557eeb1d647c6cb73",
		msg: "79637cee9decf33e3080de3d2c55bd21cd529ba8080b583edb6cfe13cda04bd0" +
			"0debe58b8cd48d6e02a1ecfc4d87923a",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "fefffffffefffffffefffffffeffffff",
	},
	{
		tcID: 167, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		iv:  "000000000000000000000000",
		aad: "0814a95481bf915a4097949e3525c7e7",
		msg: "6492a73880dac7f36743715b0fc7063d3e46a25044310bba5849ed88bfcb54b0" +
			"adbe3978040bda849906e1aa09d1a8e3",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "ffffff7f00112233445566778899aabb",
	},
	{
		tcID: 168, comment: "Testing for ctr overflow", flags: []string{"WrappedIv"}, result: resultValid,
		key: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		iv:  "010101010101010101010101",
		aad: "b691ef42f2ab8d1b4a581bb08394b13a",
		msg: "7848d9e872f40bca1b82a4e7185fb75193b3496cc1dc2a72b86ed156ab8389e7" +
			"1687ed25eb6485e66561fa8c39853368",
		ct: "0000000000000000000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		tag: "ffffffffffffff7f0011223344556677",
	},
	{
		tcID: 169, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "a5b997fe28ddf26fe182eb8db608bd14",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 170, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "5906c4d15a8dc345026d29c98e55cfcd",
		msg: "759dfbbb8a251ccc",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 171, comment: "Flipped bit 0 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "de645c9a49b8e777ca18c54048b7bde8",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 172, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "3dbceccc23f7bc994c4df048e43c59fb",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 173, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "369e1e751ac0d45a5401775304dbe1a0",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 174, comment: "Flipped bit 1 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "0bf63034cdfd77e90b94936583199da8",
		msg: "759dfbbb8a251ccc",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 175, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "2241caabc859139436c23a274eebf0d1",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 176, comment: "Flipped bit 7 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "9b6589f03d26c71a67ffb6c9bea6fdb5",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 177, comment: "Flipped bit 8 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "086f2deb0c0e871a2a38df9adc1f3e9d",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 178, comment: "Flipped bit 31 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "9dbcadbc6f27b088037e6f738b16c105",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 179, comment: "Flipped bit 31 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "d44919c638e293a9ce8647d00b8e58c5",
		msg: "759dfbbb8a251ccc",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 180, comment: "Flipped bit 31 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "c0537898455fa05d51f7554f12596617",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 181, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "45ba6c8dd2f6364e32e43429eee15faa",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 182, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "1d6b385d7eee3e166a8e2776755602fd",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 183, comment: "Flipped bit 32 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "7a972ec263df56ebe4f001a718e47200",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 184, comment: "Flipped bit 56 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "fd9d1ffd0dcfe6f0a1c2695477b1cd96",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 185, comment: "Flipped bit 56 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "7e5cbe5af5820f0757072bab5758d327",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 186, comment: "Flipped bit 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "9294a1bd55de4c4f642ed5b9b2058da6",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 187, comment: "Flipped bit 63 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "a3afb9ce48b7cd22dddd8f37cd451cd8",
		msg: "759dfbbb8a251ccc",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 188, comment: "Flipped bit 88 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "f4cf766370972a85f9b1f511e5ea693a",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 189, comment: "Flipped bit 88 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "ddb6b2168243150206fe5c513f7e6c37",
		msg: "759dfbbb8a251ccc",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 190, comment: "Flipped bit 88 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "63d504e4e4729cb5c8a29bc08723efe4",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 191, comment: "Flipped bit 96 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "1fed71d3675dd386d3c65664710b3eba",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 192, comment: "Flipped bit 96 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "454aac70fc89f9de4e045e46bcb048c0",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 193, comment: "Flipped bit 96 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "8ecff481b5c13a653d624e3441c6573c",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 194, comment: "Flipped bit 97 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "0591c8849ce9f1aaee5769eb3e28d51a",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 195, comment: "Flipped bit 120 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "c61613923b69169d512bdc788bfa62a3",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 196, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "e5879b6d2d5bb63b290b49a08e631f6a",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 197, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "00ea3f6b86feece042d68677fd378635",
		msg: "759dfbbb8a251ccc",
		ct:  "0000000000000000",
		tag: "00000000000000000000000000000000",
	},
	{
		tcID: 198, comment: "Flipped bit 121 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "5a95d77d7e02d9b92c59b9618f276f38",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 199, comment: "Flipped bit 126 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "498eeebd21577b187a36c59285864cd2",
		msg: "",
		ct:  "",
		tag: "0987e35e40981a2730c1740c7201731f",
	},
	{
		tcID: 200, comment: "Flipped bit 126 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "3305208cc80840a9b49616b1109ef788",
		msg: "f663044a4e7dd822aba0b7de2d869981",
		ct:  "00000000000000000000000000000000",
		tag: "13a1883272188b4c8d2727178198fe95",
	},
	{
		tcID: 201, comment: "Flipped bit 127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "5e53ca98c89c017426e4bc07090840b0",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
	{
		tcID: 202, comment: "Flipped bit 0..127 in tag", flags: []string{"ModifiedTag"}, result: resultInvalid,
		key: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		iv:  "000000000000000000000000",
		aad: "55a2987aa94bf46ad1b6d253a44c1622",
		msg: "49861b1fb6bcf8e4",
		ct:  "ffffffffffffffff",
		tag: "ffffffffffffffffffffffffffffffff",
	},
}

// TestWycheproofGCMSIV runs the cases against internal/gcmsiv. AES-GCM-SIV is
// deterministic, so for a valid case Seal must return ct followed by tag and
// Open must return msg. For an invalid case Open must return
// gcmsiv.ErrOpen and no plaintext.
func TestWycheproofGCMSIV(t *testing.T) {
	ran := 0
	for _, tc := range wycheproofGCMSIVCases {
		t.Run(wycheproofSubtest(tc.tcID), func(t *testing.T) {
			label := wycheproofLabel(tc.tcID, tc.comment, tc.flags, tc.result)
			aead, err := gcmsiv.New(mustHex(t, tc.key))
			require.NoError(t, err, label)
			nonce := mustHex(t, tc.iv)
			aad := mustHex(t, tc.aad)
			sealed := append(mustHex(t, tc.ct), mustHex(t, tc.tag)...)

			plaintext, err := aead.Open(nil, nonce, sealed, aad)

			if tc.result == resultValid {
				require.NoError(t, err, "Open: %s", label)
				assert.Equal(t, tc.msg, hex.EncodeToString(plaintext), "Open: %s", label)

				got := aead.Seal(nil, nonce, mustHex(t, tc.msg), aad)
				assert.Equal(t, tc.ct+tc.tag, hex.EncodeToString(got), "Seal: %s", label)
				ran++
				return
			}

			assert.ErrorIs(t, err, gcmsiv.ErrOpen, label)
			assert.Nil(t, plaintext, label)
			ran++
		})
	}
	require.NotZero(t, ran, "no Wycheproof AES-GCM-SIV cases ran")
}
