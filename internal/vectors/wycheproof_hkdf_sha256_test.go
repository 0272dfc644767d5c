// Test cases in this file are derived from Project Wycheproof
// (https://github.com/C2SP/wycheproof), file
// testvectors_v1/hkdf_sha256_test.json, read at repository commit
// dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166. That file last changed in commit
// e0df04e0c033f2d25c5051dd06230336c7822358, and its test groups give source
// google-wycheproof version 0.9.
// Copyright The Wycheproof Authors, licensed under the Apache License 2.0
// (https://www.apache.org/licenses/LICENSE-2.0). See WYCHEPROOF-NOTICE.
//
// The table keeps 50 of the file's 86 cases: the three RFC 5869 cases, every
// case flagged EmptySalt, MaximalOutputSize, SizeTooLarge or OutputCollision,
// and three Normal cases for each IKM size. Values are copied unchanged,
// hex-encoded as in the file, except for the 8160-byte outputs of the
// MaximalOutputSize cases: for those the table keeps the first and last 32
// bytes and the SHA-256 hash of the whole output, computed from the file.

package vectors

import (
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wycheproofHKDFCase is one HkdfTest case. size is the requested output
// length in bytes. A case has either okm, or okmHead, okmTail and okmSHA256
// when the output is too long to keep in full. An invalid case has no
// output.
type wycheproofHKDFCase struct {
	tcID      int
	comment   string
	flags     []string
	result    wycheproofResult
	ikm       string
	salt      string
	info      string
	size      int
	okm       string
	okmHead   string
	okmTail   string
	okmSHA256 string
}

var wycheproofHKDFCases = []wycheproofHKDFCase{
	{
		tcID: 1, comment: "RFC 5869", flags: []string{}, result: resultValid,
		ikm:  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		salt: "000102030405060708090a0b0c",
		info: "f0f1f2f3f4f5f6f7f8f9",
		size: 42,
		okm: "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf" +
			"34007208d5b887185865",
	},
	{
		tcID: 2, comment: "RFC 5869", flags: []string{"EmptySalt"}, result: resultValid,
		ikm:  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
		salt: "",
		info: "",
		size: 42,
		okm: "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d" +
			"9d201395faa4b61a96c8",
	},
	{
		tcID: 3, comment: "RFC 5869", flags: []string{}, result: resultValid,
		ikm: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" +
			"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f" +
			"404142434445464748494a4b4c4d4e4f",
		salt: "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f" +
			"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f" +
			"a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
		info: "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf" +
			"d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef" +
			"f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
		size: 82,
		okm: "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c" +
			"59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71" +
			"cc30c58179ec3e87c14c01d5c1f3434f1d87",
	},
	{
		tcID: 4, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "24aeff2645e3e0f5494a9a102778c43a",
		salt: "",
		info: "",
		size: 20,
		okm:  "d4cca5e416c3d9eb58bd562e922691daff76aa4d",
	},
	{
		tcID: 5, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "a23632e18ec76b59b1c87008da3f8a7e",
		salt: "",
		info: "",
		size: 42,
		okm: "976d1590926ac35e28d7f1a29fe98a1f787703a71cee3cb2c10acb9cc1b56c0f" +
			"21b55d5de37755a79b12",
	},
	{
		tcID: 6, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "a4748031a14d3e6aafe42aa20c568f5f",
		salt: "",
		info: "",
		size: 64,
		okm: "03f5db41f4484ec9468648c9f2a7f73ec18386008691b0555a7eec165e2f8cc7" +
			"2a6e74fffafbfb1ead00a89ff80ba00a266a70fcac07364110c6f5707f5096aa",
	},
	{
		tcID: 7, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "06eb26f8ccf28580c8f28d5b4dc47a49",
		salt: "",
		info: "d5f081e81e8cf9ded199f3ae43c80a2dfe3d9cf2",
		size: 20,
		okm:  "ae538577a14df1ab170ec01a9ceceabcebdd584f",
	},
	{
		tcID: 8, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "c181696a19ab1a32eb6e81b2925d8990",
		salt: "",
		info: "d8c8de92fe5422c9825996354db1821ba43a81ac",
		size: 42,
		okm: "151ee737f049d18cdeb3010a0fbb606461875b22ac76487874498808248cf607" +
			"e1cf7f3fc52b3a28ac64",
	},
	{
		tcID: 9, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "55fb6dcc7802354e55a45a6e41858c05",
		salt: "",
		info: "dcd590e418b259c64fb9e139b3a1280d5de8400b",
		size: 64,
		okm: "6ca91e1a6c0eb286d6fea277e9936f2486104c4c5d473a92872009f04aa545a6" +
			"1d03d83e14aa0965ba355551b93073ef91382c88afad091c62f6f65188f789e3",
	},
	{
		tcID: 10, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm:  "c27718560fae2515acb17a874991d357",
		salt: "4487f538b65c9058625057b4bbdd93e7",
		info: "",
		size: 20,
		okm:  "19eb8ba1cc7e10498d8c3b3256f66d6ee6b2296f",
	},
	{
		tcID: 15, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm:  "7a00817689a3d79001825a864c69c120",
		salt: "08bc01c053a6406c7c4a667c9b9b3894",
		info: "967ccd75395be6e96a67759f070487c9e2107791",
		size: 64,
		okm: "75f86fe05c43964bafd75bbfda18333abac649b8607e953826c2bad8d594621d" +
			"9615521b2f4d56f63a185dd0670af7163fa96ea2dec620516158946ee83071b9",
	},
	{
		tcID: 22, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm: "df27ab960ad87bfe2e173a4659e3546b",
		salt: "1e7ec49981fd4b0b7c20dd4dd5bdfbf2195e707f4d0354611b4893b8a86f6146" +
			"7aca2cf726ccc3ef0b0b4f3240d945ce506197e2be00322b17b48209c312ef9f",
		info: "",
		size: 42,
		okm: "c298d3a916ac11c05069b613748b6a7fcb8770bba0798e2bbb531359053f84fe" +
			"191ac98c8af0b72c875e",
	},
	{
		tcID: 24, comment: "maximal output size", flags: []string{"MaximalOutputSize"}, result: resultValid,
		ikm:       "91556a70e96dccb6a2fbee28250bdbd5",
		salt:      "ccdc54836e6046d5c851f917c37b0baeabd225e996b8f71d452cff5036345c3e",
		info:      "2b90f142b2310b23",
		size:      8160,
		okmHead:   "02382e3c9b2e8010bc3b63c6bb4960afd90af438735320bec0a4c626c0d49165",
		okmTail:   "6cae8029b629383ca4c89a305a6fa73a43d04eace69fc16113418e7fc04efc4c",
		okmSHA256: "a14afe5e70c25e95339abe6739f41cd27b0ab5f87480ee7e22edb5d419abaeab",
	},
	{
		tcID: 25, comment: "invalid output size", flags: []string{"SizeTooLarge"}, result: resultInvalid,
		ikm:  "db89f54af757f8c7e57248a1718105b1",
		salt: "d5efc88adf3d5afc970284aab51690bdfedfa40be98e374efa3060ccf97fc650",
		info: "134f085797b1ae2e",
		size: 8161,
		okm:  "",
	},
	{
		tcID: 26, comment: "empty salt", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "d04f44faa4542b34f958d8a863801f2c",
		salt: "",
		info: "ff6b5b655cbf2421a66d2f28408395a2ce57264f76bd60befd51cbfd9474faa4" +
			"7a97a9aa0f0e4338635633023cb36da12a3051f1f369355b687304e74c5218b3" +
			"15",
		size: 80,
		okm: "aa235b487116b1c1e2f68c9a557b396a318ea2aa29c0e6a122645918ba693598" +
			"e40e5b7c73c92f832530db888d4c53fbf73aff67d129a24263134335c9757da6" +
			"ff7f386c77f830d1bac3409fb3b834be",
	},
	{
		tcID: 27, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "fa4f94e9cdbf725c1ee98decddbe42ec06196116",
		salt: "",
		info: "",
		size: 20,
		okm:  "f32a552257d372b16c5d8c46e6c07dc9c33be9bc",
	},
	{
		tcID: 28, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "094db4e2eaae8fc9dca0d9bc14b29387fd476921",
		salt: "",
		info: "",
		size: 42,
		okm: "41ae65892c3359f808e906bbc91c701f7e067b548e685bc02d5badad2799221b" +
			"f313964f8307670d76a8",
	},
	{
		tcID: 29, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "bfbe4f1edace02b2a3afcaada5f319103996dec9",
		salt: "",
		info: "",
		size: 64,
		okm: "93c737cdce4fe225839614393bc5ff6fd14390dc436ad6f9e13a7714e8b8b2d6" +
			"6cb690fd9a213c0e297ac96fda5d27e002cfc344964b86e78ff23c260cbcc82e",
	},
	{
		tcID: 30, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "71220f185f4f2d436fa88b61f7ddf4a10948385e",
		salt: "",
		info: "f392a656590cdd585a06ad4892d2381ad0616a99",
		size: 20,
		okm:  "db44f61cc3538799665902ea761be6fea0c51e75",
	},
	{
		tcID: 31, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "3a0c2c84ea46c152104d794261413412bad2e846",
		salt: "",
		info: "1cf4f37e0cab71a252100a2925a8703231292a7e",
		size: 42,
		okm: "1d4f606b55c6f6fc25d06eadcc86732afeaa281f7cc7acb3efb40eacfb4880d4" +
			"6daef24091045cb16baa",
	},
	{
		tcID: 32, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "59b7fce05176a56f9b086b2e9e526b4491d05d27",
		salt: "",
		info: "d0e410792d888f355baaae8e17288e982032c231",
		size: 64,
		okm: "df10c40dae8f62e212775e5f19f9769f17ac32abe46aae106a5baa9af3d9c230" +
			"5376ec0a6f86492219a7d448b518ed08fb6fd6eeb3f964949e164bf8caef03d3",
	},
	{
		tcID: 33, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm:  "e1dfecb28787a93133763ba4760a55a2c20ab407",
		salt: "0b86a968f9d45bd38ffc2369a92bc66d",
		info: "",
		size: 20,
		okm:  "f41d88008ed2ef14699bd6d0bfb19bdade26106d",
	},
	{
		tcID: 38, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm:  "1c352e65590b2f763aee9f4404c801e7a04b2a8c",
		salt: "ecd6a227d7ab14c068bb917c861c8ec0",
		info: "3acb9582af1a9019126d09422e715519fd335032",
		size: 64,
		okm: "163d478f06a53bc1fdf0f30a2329c99e607ea9228ed7739a45b64e3ce2962006" +
			"7644bd047f8e0923bb00b249254d1ecd80eaf3be23c6f268b9d76c20e6286765",
	},
	{
		tcID: 45, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm: "8759ccbb7c28d95d8f6cd65c3f5fb517451f3768",
		salt: "bd76fd163a2bea5c840730b4870d168d097cba61ab3aa060a38816a007117dbc" +
			"245d288c671b6ae1d2d1182a6c6765b13ff2910565660f853d0d871d0baffda3",
		info: "",
		size: 42,
		okm: "0dd07574313d5683a506a1c992ac1ff117e20080493e0f29eeca02ba6a8fed42" +
			"cc021fbd612aad9ff6d9",
	},
	{
		tcID: 47, comment: "maximal output size", flags: []string{"MaximalOutputSize"}, result: resultValid,
		ikm:       "e24d1b941ac46211874b5f19096a5699ac59fef7",
		salt:      "e7604b17f41722d9172d87956e7454d7bd88a4d550d6ab9bb4d65930da63edcf",
		info:      "aada4cd9650cdb86",
		size:      8160,
		okmHead:   "0244073b674149d172a28f9029dc197a0d2f2934d5038c52c8c9598a2610261d",
		okmTail:   "24ad1942a8909378ab733ab14ace19b0d8d20618a13aa77fb9c24273ac239551",
		okmSHA256: "4e0f5d6c7efe859c9765dfc361d2aeab483701a1036c280c18773e86b8123993",
	},
	{
		tcID: 48, comment: "invalid output size", flags: []string{"SizeTooLarge"}, result: resultInvalid,
		ikm:  "b9e48330280338d38dc0d52493d0c83c2f705e73",
		salt: "32aaa81e238e101845eb2698ee271b9bbb832fc5c94f426fb65dbef3fd267dc1",
		info: "8c5bce0a3200271a",
		size: 8161,
		okm:  "",
	},
	{
		tcID: 49, comment: "empty salt", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "8e9dfcf668a8b7e22c8d403c35af78324dafeadf",
		salt: "",
		info: "b4d6ce377ee98d0e1614e3865354cda02dfeb92010ffbade5d1f7e4329f16699" +
			"5a67415d56221128b04de3e8c49437b9e322986b5fe1256c7f8c81021b99ea96" +
			"ae",
		size: 80,
		okm: "01ed7302f611c098f57fe9ec9b8654974bd707981c2b647753cd586cbdd0d7ea" +
			"1dbc5c76262fdcbe0c355a965a4287eb86e4c97e60bf0e6be0dc898c997b0e73" +
			"b2888265e8115073bdc5040365736d73",
	},
	{
		tcID: 50, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "7ef7d4f8c11d940471cf9a3048d66b3b3a3d9db9fed5f81419fe75dd50116f4e",
		salt: "",
		info: "",
		size: 20,
		okm:  "a370de1c822b8eb00645c18e32ad6a1f4bb17c9b",
	},
	{
		tcID: 51, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "1b6c7d5da045bf8bd4ac3083e8de2b90904bc7f7830bef876e355b74466cef91",
		salt: "",
		info: "",
		size: 42,
		okm: "50dd5b5adbe96aa216f93c4cbb7d568d5141b3ef7214be885984629b93f07814" +
			"870db846c3efc8c7db7f",
	},
	{
		tcID: 52, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "b9da242c02bfe79364aedd7a323692191092edb2094f112675c2609a387c3b21",
		salt: "",
		info: "",
		size: 64,
		okm: "384c0ded57bf066d6665d88355aff9eab8cbd78c1c71af7b8334cde6536f2122" +
			"3aeddd5a84d278d5d73f5b536973575dd2993a4a857289c3b59861643c464c2c",
	},
	{
		tcID: 53, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "23624191960916aad7039c8e9dc2ec4e04ac61a233a02ec6045021598123f0cd",
		salt: "",
		info: "60dd0d1381a014491b34f0af15e4bebb8f64cbd5",
		size: 20,
		okm:  "2f94214e5171e40cd7bb601c2fc7fca42c77f227",
	},
	{
		tcID: 54, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "ad75f83c7fef898ab33a429af351c10caaf39ef27b161a6806d34f1f4f8be229",
		salt: "",
		info: "69546d578a213b7f2af101c8ef532339324d43ea",
		size: 42,
		okm: "b60b7fb09271c6ac0c48d6ccfbc535115075e0060633e5adb502bd964bac2fd1" +
			"20a53be8bfbc9fedc27b",
	},
	{
		tcID: 55, comment: "", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "cb55dbea8b91ae1ce0a07b23b1508c2a930560b8fe7255fcc3e37835803661fe",
		salt: "",
		info: "b57d6aaedf30bd8e25867059761a02c5d0478f2e",
		size: 64,
		okm: "d22014f4f0475223eb87d4d462f29f04a33fe93349fe62ff9d4dce9360e5e22b" +
			"c0a42746abbf44c22bf472c1f6aa608f3c90c088daae7015fb2f9e5aafa2c9a2",
	},
	{
		tcID: 56, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm:  "583bb04b870b4b176e58257b67ffa3b8d4e339248fb0c38105673fe7097ce47c",
		salt: "aef10b993ba2f9c390d429441bd6612f",
		info: "",
		size: 20,
		okm:  "fec774eec32c8af7f44b9f60dd778753a5057d75",
	},
	{
		tcID: 61, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm:  "62dc1cecc7f444d924e20e9e3cdef183b5120b1f5bf863519826fad284c883d9",
		salt: "1956ce69bc08e45ce86f5dca57d0723a",
		info: "0cf3a7823b830f3542ed7e66b47be87c47e6da99",
		size: 64,
		okm: "6cc96b84592037ab3fc39b6eef90158cc3235d6475b6ed08fea6cd2f0a4c7610" +
			"caf4afa2ac95ee0d5c73d612b5801a3900395a84147b749bf60d141d888f45b6",
	},
	{
		tcID: 68, comment: "", flags: []string{"Normal"}, result: resultValid,
		ikm: "26c100db697f01ab998be43afbc294cdd0554e43ad75a6ce5de4c5fa427760dc",
		salt: "80169781fc54f9c49e852e49b7246174b7017e02d2ce71bc7ce851b82151688b" +
			"34ce1f203930e00b7f6e8d56b51b3d33d688fe24dc17a935332ed32372cad575",
		info: "",
		size: 42,
		okm: "374077f9f4e7fadf8336e499302e2ee425887cfdbd05da552d739e4d1a4d2487" +
			"cc949b8197662edad9bf",
	},
	{
		tcID: 73, comment: "maximal output size", flags: []string{"MaximalOutputSize"}, result: resultValid,
		ikm:       "7a53f6a4fecd584bf9a23eae9eb764b7a65d34bf0cf080f6e505eb450a57d839",
		salt:      "f669d51642c7721667cc682d1e425dbf3ee5233a12e406cd1ad1889fc556d117",
		info:      "0bb3ed2cb4dd08e7",
		size:      8160,
		okmHead:   "de08a66635e4b8b7cc3d850f8e5d7f861d1f85780b54fde0b77258840092244c",
		okmTail:   "859c4f74bdd9d0f6aa301cab0493a374332f9f8265492d7e0a33977fa408eaf0",
		okmSHA256: "97afc201208170d2eae0b6c801785203ea6de6d585b4a76864cf08d22e153b32",
	},
	{
		tcID: 74, comment: "invalid output size", flags: []string{"SizeTooLarge"}, result: resultInvalid,
		ikm:  "ec106ebf89b6f25180d59b38861f2ad71b68957dc19098dbccffe888b67eebe6",
		salt: "b1d1b4ab7025f412dd46fedd0b9ae1c82d45796f1d9ec7ed9ae2c5c6cf9adad8",
		info: "37f1b3e4f615a76f",
		size: 8161,
		okm:  "",
	},
	{
		tcID: 75, comment: "empty salt", flags: []string{"Normal", "EmptySalt"}, result: resultValid,
		ikm:  "d2ee6859f3e52e456f4b0e19252f3ba453102fb4de685b9823a652acb2f87039",
		salt: "",
		info: "086e8dc0aa05538926dc74e89857232aa7d1fdc3f6ca29dddaba48dd682bcf1c" +
			"fe08700e2a5a7102d01e57a93bca2668dee95339d5db6b6a2e7e5fa66667b8d5" +
			"b8",
		size: 80,
		okm: "9270c8f7b8c979c7f537ff820b08ab3b757266a00679070380bba554e30e8437" +
			"10551cf5ae38d6d692749a425b85b4c2fa674ab37e3936feb6089afd60c80d5f" +
			"2cba1ff9257519a40d2e181ce920d370",
	},
	{
		tcID: 76, comment: "output collision for different salts", flags: []string{"OutputCollision", "EmptySalt"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "f41f703259063d401de67cea9192038ddddc71ede5cdb383aad71894c1a39e8c",
	},
	{
		tcID: 77, comment: "output collision for different salts", flags: []string{"OutputCollision"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "0000000000000000000000000000000000000000000000000000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "f41f703259063d401de67cea9192038ddddc71ede5cdb383aad71894c1a39e8c",
	},
	{
		tcID: 78, comment: "a salt longer than the block size of the hash is equivalent to the hash of the salt", flags: []string{"OutputCollision"}, result: resultValid,
		ikm: "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "888815e19321fa618f0ce9800b7c2f6d289ed32c23d9816cc8bb36966bbe413e" +
			"24db80612bd48c8fd8e791732aed62288c3bf97d7c881b8d80dd48fa31b6f5d0" +
			"cb",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "52a1d834f372578ccc7b57e9149f4c45f98ff754dbdec0bb3a8f931bd14e4bb1",
	},
	{
		tcID: 79, comment: "a salt longer than the block size of the hash is equivalent to the hash of the salt", flags: []string{"OutputCollision"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "508c49c8298f899aa4f3a956dfe08a58f24944d8366d280f51d11e81136e4ecc",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "52a1d834f372578ccc7b57e9149f4c45f98ff754dbdec0bb3a8f931bd14e4bb1",
	},
	{
		tcID: 80, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c4300",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
	{
		tcID: 81, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c43000000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
	{
		tcID: 82, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c430000000000000000000000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
	{
		tcID: 83, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm:  "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c4300000000000000000000000000000000000000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
	{
		tcID: 84, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm: "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c4300000000000000000000000000000000000000000000000000" +
			"0000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
	{
		tcID: 85, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm: "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c4300000000000000000000000000000000000000000000000000" +
			"00000000000000000000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
	{
		tcID: 86, comment: "a salt shorter than the block size is padded with zeros.", flags: []string{"OutputCollision"}, result: resultValid,
		ikm: "3ee1fc0d8fac49d494c4a1b8cf6bf290a4a2c19a27c3ab1914d0d21c841577e0",
		salt: "9962310f7e8c4300000000000000000000000000000000000000000000000000" +
			"000000000000000000000000000000000000000000000000",
		info: "4dc991623624fadef207587e42776cf3e0fdf4e5",
		size: 32,
		okm:  "909e3925c51ea4b543e30cca4f184452f494b8f20b99f36496e1c8110b48949c",
	},
}

// TestWycheproofHKDF runs the cases against crypto/hkdf with SHA-256, both
// through hkdf.Key and through hkdf.Extract followed by hkdf.Expand. A valid
// case must produce the expected output. An invalid case, which requests more
// than 255 * 32 bytes, must fail.
func TestWycheproofHKDF(t *testing.T) {
	ran := 0
	for _, tc := range wycheproofHKDFCases {
		t.Run(wycheproofSubtest(tc.tcID), func(t *testing.T) {
			label := wycheproofLabel(tc.tcID, tc.comment, tc.flags, tc.result)
			ikm := mustHex(t, tc.ikm)
			salt := mustHex(t, tc.salt)
			info := string(mustHex(t, tc.info))

			key, keyErr := hkdf.Key(sha256.New, ikm, salt, info, tc.size)
			prk, err := hkdf.Extract(sha256.New, ikm, salt)
			require.NoError(t, err, label)
			okm, expandErr := hkdf.Expand(sha256.New, prk, info, tc.size)

			if tc.result == resultInvalid {
				assert.Error(t, keyErr, "hkdf.Key: %s", label)
				assert.Error(t, expandErr, "hkdf.Expand: %s", label)
				ran++
				return
			}

			require.NoError(t, keyErr, "hkdf.Key: %s", label)
			require.NoError(t, expandErr, "hkdf.Expand: %s", label)
			assert.Equal(t, key, okm, "hkdf.Key and hkdf.Expand disagree: %s", label)
			checkHKDFOutput(t, tc, key, label)
			ran++
		})
	}
	require.NotZero(t, ran, "no Wycheproof HKDF cases ran")
}

// checkHKDFOutput compares got with the expected output of tc, in full or
// by its first and last 32 bytes and its SHA-256 hash.
func checkHKDFOutput(t *testing.T, tc wycheproofHKDFCase, got []byte, label string) {
	t.Helper()
	require.Len(t, got, tc.size, label)
	if tc.okmSHA256 == "" {
		assert.Equal(t, tc.okm, hex.EncodeToString(got), label)
		return
	}

	sum := sha256.Sum256(got)
	assert.Equal(t, tc.okmHead, hex.EncodeToString(got[:32]), "first 32 bytes: %s", label)
	assert.Equal(t, tc.okmTail, hex.EncodeToString(got[len(got)-32:]), "last 32 bytes: %s", label)
	assert.Equal(t, tc.okmSHA256, hex.EncodeToString(sum[:]), "SHA-256 of the output: %s", label)
}
