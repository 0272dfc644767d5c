// Test cases in this file are derived from Project Wycheproof
// (https://github.com/C2SP/wycheproof), file testvectors_v1/x25519_test.json,
// read at repository commit dac1dd4729fd1f8dd9e1e9f3dce51d783da6c166. That
// file last changed in commit 531e301a6b5dddf7313a106bca1dd1dc04aed310, and
// its test group gives source google-wycheproof version 0.9rc5.
// Copyright The Wycheproof Authors, licensed under the Apache License 2.0
// (https://www.apache.org/licenses/LICENSE-2.0). See WYCHEPROOF-NOTICE.
//
// The table keeps 77 of the file's 518 cases: every case flagged
// LowOrderPublic, NonCanonicalPublic, SmallPublicKey or ZeroSharedSecret,
// every case flagged only Twist, the Normal and Ktv cases, every
// EdgeCasePrivateKey case, and the first two or three cases of each other
// flag combination. Values are copied unchanged, hex-encoded as in the file.

package vectors

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/curve"
)

// wycheproofX25519Case is one XdhComp test case. private is the 32-byte
// scalar before clamping, public the 32-byte little-endian u-coordinate and
// shared the expected X25519 output.
type wycheproofX25519Case struct {
	tcID    int
	comment string
	flags   []string
	result  wycheproofResult
	private string
	public  string
	shared  string
}

var wycheproofX25519Cases = []wycheproofX25519Case{
	{
		tcID: 1, comment: "normal case", flags: []string{"Normal"}, result: resultValid,
		private: "c8a9d5a91091ad851c668b0736c1c9a02936c0d3ad62670858088047ba057475",
		public:  "504a36999f489cd2fdbc08baff3d88fa00569ba986cba22548ffde80f9806829",
		shared:  "436a2c040cf45fea9b29a0cb81b1f41458f863d0d61b453d0a982720d6d61320",
	},
	{
		tcID: 2, comment: "public key on twist", flags: []string{"Twist"}, result: resultAcceptable,
		private: "d85d8c061a50804ac488ad774ac716c3f5ba714b2712e048491379a500211958",
		public:  "63aa40c6e38346c5caf23a6df0a5e6c80889a08647e551b3563449befcfc9733",
		shared:  "279df67a7c4611db4708a0e8282b195e5ac0ed6f4b2f292c6fbd0acac30d1332",
	},
	{
		tcID: 3, comment: "public key on twist", flags: []string{"Twist"}, result: resultAcceptable,
		private: "c8b45bfd32e55325d9fd648cb302848039000b390e44d521e58aab3b29a6964b",
		public:  "0f83c36fded9d32fadf4efa3ae93a90bb5cfa66893bc412c43fa7287dbb99779",
		shared:  "4bc7e01e7d83d6cf67632bf90033487a5fc29eba5328890ea7b1026d23b9a45f",
	},
	{
		tcID: 4, comment: "public key on twist", flags: []string{"Twist"}, result: resultAcceptable,
		private: "f876e34bcbe1f47fbc0fddfd7c1e1aa53d57bfe0f66d243067b424bb6210be51",
		public:  "0b8211a2b6049097f6871c6c052d3c5fc1ba17da9e32ae458403b05bb283092a",
		shared:  "119d37ed4b109cbd6418b1f28dea83c836c844715cdf98a3a8c362191debd514",
	},
	{
		tcID: 5, comment: "public key on twist", flags: []string{"Twist"}, result: resultAcceptable,
		private: "006ac1f3a653a4cdb1d37bba94738f8b957a57beb24d646e994dc29a276aad45",
		public:  "343ac20a3b9c6a27b1008176509ad30735856ec1c8d8fcae13912d08d152f46c",
		shared:  "cc4873aed3fcee4b3aaea7f0d20716b4276359081f634b7bea4b705bfc8a4d3e",
	},
	{
		tcID: 6, comment: "public key on twist", flags: []string{"Twist"}, result: resultAcceptable,
		private: "08da77b26d06dff9d9f7fd4c5b3769f8cdd5b30516a5ab806be324ff3eb69e60",
		public:  "fa695fc7be8d1be5bf704898f388c452bafdd3b8eae805f8681a8d15c2d4e142",
		shared:  "b6f8e2fcb1affc79e2ff798319b2701139b95ad6dd07f05cbac78bd83edfd92e",
	},
	{
		tcID: 7, comment: "public key on twist", flags: []string{"Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "d03edde9f3e7b799045f9ac3793d4a9277dadeadc41bec0290f81f744f73775f",
		public:  "0200000000000000000000000000000000000000000000000000000000000000",
		shared:  "b87a1722cc6c1e2feecb54e97abd5a22acc27616f78f6e315fd2b73d9f221e57",
	},
	{
		tcID: 8, comment: "public key on twist", flags: []string{"Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "e09d57a914e3c29036fd9a442ba526b5cdcdf28216153e636c10677acab6bd6a",
		public:  "0300000000000000000000000000000000000000000000000000000000000000",
		shared:  "a29d8dad28d590cd3017aa97a4761f851bf1d3672b042a4256a45881e2ad9035",
	},
	{
		tcID: 9, comment: "public key on twist", flags: []string{"Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "e0ed78e6ee02f08bec1c15d66fbbe5b83ffc37ea14e1512cc1bd4b2ea6d8066f",
		public:  "ff00000000000000000000000000000000000000000000000000000000000000",
		shared:  "e703bc8aa94b7d87ba34e2678353d12cdaaa1a97b5ca3e1b8c060c4636087f07",
	},
	{
		tcID: 32, comment: "public key = 0", flags: []string{"SmallPublicKey", "LowOrderPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "88227494038f2bb811d47805bcdf04a2ac585ada7f2f23389bfd4658f9ddd45e",
		public:  "0000000000000000000000000000000000000000000000000000000000000000",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 33, comment: "public key = 1", flags: []string{"SmallPublicKey", "LowOrderPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "48232e8972b61c7e61930eb9450b5070eae1c670475685541f0476217e48184f",
		public:  "0100000000000000000000000000000000000000000000000000000000000000",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 34, comment: "edge case public key", flags: []string{"SpecialPublicKey"}, result: resultValid,
		private: "a8386f7f16c50731d64f82e6a170b142a4e34f31fd7768fcb8902925e7d1e25a",
		public:  "0400000000000000000000000000000000000000000000000000000000000000",
		shared:  "34b7e4fa53264420d9f943d15513902342b386b172a0b0b7c8b8f2dd3d669f59",
	},
	{
		tcID: 35, comment: "edge case public key", flags: []string{"SpecialPublicKey"}, result: resultValid,
		private: "d05abd08bf5e62538cb9a5ed105dbedd6de38d07940085072b4311c2678ed77d",
		public:  "0001000000000000000000000000000000000000000000000000000000000000",
		shared:  "3aa227a30781ed746bd4b3365e5f61461b844d09410c70570abd0d75574dfc77",
	},
	{
		tcID: 36, comment: "edge case public key", flags: []string{"SpecialPublicKey"}, result: resultValid,
		private: "f0b8b0998c8394364d7dcb25a3885e571374f91615275440db0645ee7c0a6f6b",
		public:  "0000001000000000000000000000000000000000000000000000000000000000",
		shared:  "97755e7e775789184e176847ffbc2f8ef98799d46a709c6a1c0ffd29081d7039",
	},
	{
		tcID: 63, comment: "public key with low order", flags: []string{"LowOrderPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "e0f978dfcd3a8f1a5093418de54136a584c20b7b349afdf6c0520886f95b1272",
		public:  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 64, comment: "public key with low order", flags: []string{"LowOrderPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "387355d995616090503aafad49da01fb3dc3eda962704eaee6b86f9e20c92579",
		public:  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 65, comment: "public key with low order", flags: []string{"LowOrderPublic", "Twist", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "c8fe0df92ae68a03023fc0c9adb9557d31be7feed0d3ab36c558143daf4dbb40",
		public:  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 66, comment: "public key with low order", flags: []string{"LowOrderPublic", "NonCanonicalPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "c8d74acde5934e64b9895d5ff7afbffd7f704f7dfccff7ac28fa62a1e6410347",
		public:  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 67, comment: "public key with low order", flags: []string{"LowOrderPublic", "NonCanonicalPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "b85649d5120e01e8ccaf7b2fb8d81b62e8ad6f3d5c0553fdde1906cb9d79c050",
		public:  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 68, comment: "public key with low order", flags: []string{"LowOrderPublic", "NonCanonicalPublic", "SpecialPublicKey", "ZeroSharedSecret", "Twist"}, result: resultAcceptable,
		private: "2064b2f4c9dc97ec7cf58932fdfa3265ba6ea4d11f0259b8efc8afb35db88c48",
		public:  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 69, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "0000000000000000000000000000000000000000000000000000000000000000",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 70, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "0100000000000000000000000000000000000000000000000000000000000000",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 71, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret", "Twist"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 72, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 73, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 74, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 75, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 76, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "0000000000000000000000000000000000000000000000000000000000000080",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 77, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "0100000000000000000000000000000000000000000000000000000000000080",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 78, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret", "Twist"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 79, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f11d7",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 80, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 81, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 82, comment: "public key with low order", flags: []string{"LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "786a33a4f7af297a20e7642925932bf509e7070fa1bc36986af1eb13f4f50b55",
		public:  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 83, comment: "public key == 0", flags: []string{"SmallPublicKey", "LowOrderPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "40ff586e73d61f0960dc2d763ac19e98225f1194f6fe43d5dd97ad55b3d35961",
		public:  "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 84, comment: "public key == 0", flags: []string{"SmallPublicKey", "LowOrderPublic", "NonCanonicalPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "7887889bac4c629a101d3724f2ed8b98d936fde79e1a1f77d86779626bf8f263",
		public:  "0000000000000000000000000000000000000000000000000000000000000080",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 85, comment: "public key == 1", flags: []string{"SmallPublicKey", "LowOrderPublic", "NonCanonicalPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "584fceaebae944bfe93b2e0d0a575f706ce5ada1da2b1311c3b421f9186c7a6f",
		public:  "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 86, comment: "public key == 1", flags: []string{"SmallPublicKey", "LowOrderPublic", "NonCanonicalPublic", "SpecialPublicKey", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "e07971ee820e48b0b266d8be3cdbbb5e900a43f59ee8535c6572418615de4962",
		public:  "0100000000000000000000000000000000000000000000000000000000000080",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 87, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "0016b62af5cabde8c40938ebf2108e05d27fa0533ed85d70015ad4ad39762d54",
		public:  "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "b4d10e832714972f96bd3382e4d082a21a8333a16315b3ffb536061d2482360d",
	},
	{
		tcID: 88, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "d83650ba7cec115881916255e3fa5fa0d6b8dcf968731bd2c9d2aec3f561f649",
		public:  "f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "515eac8f1ed0b00c70762322c3ef86716cd2c51fe77cec3d31b6388bc6eea336",
	},
	{
		tcID: 89, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "88dd14e2711ebd0b0026c651264ca965e7e3da5082789fbab7e24425e7b4377e",
		public:  "f1ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "6919992d6a591e77b3f2bacbd74caf3aea4be4802b18b2bc07eb09ade3ad6662",
	},
	{
		tcID: 90, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "98c2b08cbac14e15953154e3b558d42bb1268a365b0ef2f22725129d8ac5cb7f",
		public:  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "9c034fcd8d3bf69964958c0105161fcb5d1ea5b8f8abb371491e42a7684c2322",
	},
	{
		tcID: 91, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "c0697b6f05e0f3433b44ea352f20508eb0623098a7770853af5ca09727340c4e",
		public:  "0200000000000000000000000000000000000000000000000000000000000080",
		shared:  "ed18b06da512cab63f22d2d51d77d99facd3c4502e4abf4e97b094c20a9ddf10",
	},
	{
		tcID: 92, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "Twist", "SpecialPublicKey"}, result: resultAcceptable,
		private: "18422b58a18e0f4519b7a887b8cfb649e0bfe4b34d75963350a9944e5b7f5b7e",
		public:  "0300000000000000000000000000000000000000000000000000000000000080",
		shared:  "448ce410fffc7e6149c5abec0ad5f3607dfde8a34e2ac3243c3009176168b432",
	},
	{
		tcID: 93, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "20620d82487707bedf9ee3549e95cb9390d2618f50cf6acba47ffaa103224a6f",
		public:  "0400000000000000000000000000000000000000000000000000000000000080",
		shared:  "03a633df01480d0d5048d92f51b20dc1d11f73e9515c699429b90a4f6903122a",
	},
	{
		tcID: 94, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "285a6a7ceeb7122f2c78d99c53b2a902b490892f7dff326f89d12673c3101b53",
		public:  "daffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "9b01287717d72f4cfb583ec85f8f936849b17d978dbae7b837db56a62f100a68",
	},
	{
		tcID: 95, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey", "Twist"}, result: resultAcceptable,
		private: "c8e0330ae9dceeff887fba761225879a4bd2e0db08799244136e4721b2c88970",
		public:  "dbffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "dfe60831c9f4f96c816e51048804dbdc27795d760eced75ef575cbe3b464054b",
	},
	{
		tcID: 96, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "10db6210fc1fb13382472fa1787b004b5d11868ab3a79510e0cee30f4a6df26b",
		public:  "dcffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "50bfa826ca77036dd2bbfd092c3f78e2e4a1f980d7c8e78f2f14dca3cce5cc3c",
	},
	{
		tcID: 97, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey", "Twist"}, result: resultAcceptable,
		private: "9041c6e044a277df8466275ca8b5ee0da7bc028648054ade5c592add3057474e",
		public:  "eaffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "13da5695a4c206115409b5277a934782fe985fa050bc902cba5616f9156fe277",
	},
	{
		tcID: 98, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "b8d499041a6713c0f6f876db7406587fdb44582f9542356ae89cfa958a34d266",
		public:  "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "63483b5d69236c63cddbed33d8e22baecc2b0ccf886598e863c844d2bf256704",
	},
	{
		tcID: 99, comment: "non-canonical public key", flags: []string{"NonCanonicalPublic", "SpecialPublicKey"}, result: resultAcceptable,
		private: "c85f08e60c845f82099141a66dc4583d2b1040462c544d33d0453b20b1a6377e",
		public:  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		shared:  "e9db74bc88d0d9bf046ddd13f943bccbe6dbb47d49323f8dfeedc4a694991a3c",
	},
	{
		tcID: 100, comment: "RFC 7748", flags: []string{"Ktv"}, result: resultValid,
		private: "a046e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449a44",
		public:  "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		shared:  "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
	},
	{
		tcID: 101, comment: "RFC 7748", flags: []string{"Ktv", "Twist"}, result: resultAcceptable,
		private: "4866e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba4d",
		public:  "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a413",
		shared:  "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
	},
	{
		tcID: 102, comment: "RFC 8037, Section A.6", flags: []string{"Ktv"}, result: resultValid,
		private: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		public:  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		shared:  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
	},
	{
		tcID: 103, comment: "edge case for shared secret", flags: []string{"EdgeCaseShared", "Twist"}, result: resultAcceptable,
		private: "60a3a4f130b98a5be4b1cedb7cb85584a3520e142d474dc9ccb909a073a9767f",
		public:  "b7b6d39c765cb60c0c8542f4f3952ffb51d3002d4aeb9f8ff988b192043e6d0a",
		shared:  "0200000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 104, comment: "edge case for shared secret", flags: []string{"EdgeCaseShared"}, result: resultValid,
		private: "60a3a4f130b98a5be4b1cedb7cb85584a3520e142d474dc9ccb909a073a9767f",
		public:  "3b18df1e50b899ebd588c3161cbd3bf98ebcc2c1f7df53b811bd0e91b4d5153d",
		shared:  "0900000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 105, comment: "edge case for shared secret", flags: []string{"EdgeCaseShared"}, result: resultValid,
		private: "60a3a4f130b98a5be4b1cedb7cb85584a3520e142d474dc9ccb909a073a9767f",
		public:  "cab6f9e7d8ce00dfcea9bbd8f069ef7fb2ac504abf83b87db601b5ae0a7f7615",
		shared:  "1000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 106, comment: "edge case for shared secret", flags: []string{"EdgeCaseShared", "Twist"}, result: resultAcceptable,
		private: "60a3a4f130b98a5be4b1cedb7cb85584a3520e142d474dc9ccb909a073a9767f",
		public:  "4977d0d897e1ba566590f60f2eb0db6f7b24c13d436918ccfd32708dfad7e247",
		shared:  "feffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f",
	},
	{
		tcID: 107, comment: "edge case for shared secret", flags: []string{"EdgeCaseShared"}, result: resultValid,
		private: "60a3a4f130b98a5be4b1cedb7cb85584a3520e142d474dc9ccb909a073a9767f",
		public:  "98730bc03e29e8b057fb1d20ef8c0bffc822485d3db7f45f4e3cc2c3c6d1d14c",
		shared:  "fcffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f",
	},
	{
		tcID: 108, comment: "edge case for shared secret", flags: []string{"EdgeCaseShared", "Twist"}, result: resultAcceptable,
		private: "60a3a4f130b98a5be4b1cedb7cb85584a3520e142d474dc9ccb909a073a9767f",
		public:  "97b4fff682df7f096cd1756569e252db482d45406a3198a1aff282a5da474c49",
		shared:  "f9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff3f",
	},
	{
		tcID: 117, comment: "special case public key", flags: []string{"EdgeCaseMultiplication", "SmallPublicKey", "LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "c8d07c46bbfb827753b92c70e49583ce8bfa44641a7382258ea903d6a832c96b",
		public:  "0000000000000000000000000000000000000000000000000000000000000000",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 118, comment: "special case public key", flags: []string{"EdgeCaseMultiplication", "SmallPublicKey", "LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "90b7ef237a055f348dcb4c4364a59d7d31edc7ab78f2ca254e2c810975c3f543",
		public:  "0100000000000000000000000000000000000000000000000000000000000000",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 119, comment: "special case public key", flags: []string{"EdgeCaseMultiplication", "Twist"}, result: resultAcceptable,
		private: "e0a8be63315c4f0f0a3fee607f44d30a55be63f09561d9af93e0a1c9cf0ed751",
		public:  "0200000000000000000000000000000000000000000000000000000000000000",
		shared:  "0c50ac2bfb6815b47d0734c5981379882a24a2de6166853c735329d978baee4d",
	},
	{
		tcID: 120, comment: "special case public key", flags: []string{"EdgeCaseMultiplication"}, result: resultValid,
		private: "0840a8af5bc4c48da8850e973d7e14220f45c192cea4020d377eecd25c7c3643",
		public:  "1200000000000000000000000000000000000000000000000000000000000000",
		shared:  "77557137a2a2a651c49627a9b239ac1f2bf78b8a3e72168ccecc10a51fc5ae66",
	},
	{
		tcID: 121, comment: "special case public key", flags: []string{"EdgeCaseMultiplication", "Twist"}, result: resultAcceptable,
		private: "0092229c753a71284d0853909470ad847ab62f439ea51482fb41d30cc3b44743",
		public:  "1400000000000000000000000000000000000000000000000000000000000000",
		shared:  "c88e719ae5c2248b5f90da346a92ae214f44a5d129fd4e9c26cf6a0da1efe077",
	},
	{
		tcID: 122, comment: "special case public key", flags: []string{"EdgeCaseMultiplication"}, result: resultValid,
		private: "b8da2bd2d7cf25a3e54e5f87ee15911effb9ff86baec4076d56c8e953670bf5b",
		public:  "0000000000000000000000000080000000000000000000000000000000000000",
		shared:  "4bf6789c7ea036f973cde0af02d6fdb9b64a0b957022111439570fad7d7a453f",
	},
	{
		tcID: 154, comment: "special case public key", flags: []string{"EdgeCaseMultiplication", "LowOrderPublic", "Twist", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "18630f93598637c35da623a74559cf944374a559114c7937811041fc8605564a",
		public:  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 165, comment: "D = 0 in multiplication by 2", flags: []string{"EdgeCaseMultiplication", "LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "5891c9272cf9a197735b701e5715268d36d7436b7e351a3e997a0862e4807d4d",
		public:  "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 166, comment: "D = 0 in multiplication by 2", flags: []string{"EdgeCaseMultiplication", "LowOrderPublic", "ZeroSharedSecret"}, result: resultAcceptable,
		private: "c0f9c60aea73731d92ab5ed9f4cea122f9a6eb2577bda72f94948fea4d4cc65d",
		public:  "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
		shared:  "0000000000000000000000000000000000000000000000000000000000000000",
	},
	{
		tcID: 511, comment: "private key == -1 (mod order)", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "a023cdd083ef5bb82f10d62e59e15a6800000000000000000000000000000050",
		public:  "6c05871352a451dbe182ed5e6ba554f2034456ffe041a054ff9cc56b8e946376",
		shared:  "6c05871352a451dbe182ed5e6ba554f2034456ffe041a054ff9cc56b8e946376",
	},
	{
		tcID: 512, comment: "private key == 1 (mod order) on twist", flags: []string{"Twist"}, result: resultAcceptable,
		private: "58083dd261ad91eff952322ec824c682ffffffffffffffffffffffffffffff5f",
		public:  "2eae5ec3dd494e9f2d37d258f873a8e6e9d0dbd1e383ef64d98bb91b3e0be035",
		shared:  "2eae5ec3dd494e9f2d37d258f873a8e6e9d0dbd1e383ef64d98bb91b3e0be035",
	},
	{
		tcID: 513, comment: "special case private key", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "4855555555555555555555555555555555555555555555555555555555555555",
		public:  "3e3e7708ef72a6dd78d858025089765b1c30a19715ac19e8d917067d208e0666",
		shared:  "63ef7d1c586476ec78bb7f747e321e01102166bf967a9ea9ba9741f49d439510",
	},
	{
		tcID: 514, comment: "special case private key", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "4855555555555555555555555555555555555555555555555555555555555555",
		public:  "9f40bb30f68ab67b1c4b8b664982fdab04ff385cd850deac732f7fb705e6013a",
		shared:  "8b98ef4d6bf30df7f88e58d51505d37ed6845a969fe598747c033dcd08014065",
	},
	{
		tcID: 515, comment: "special case private key", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "4855555555555555555555555555555555555555555555555555555555555555",
		public:  "be3b3edeffaf83c54ae526379b23dd79f1cb41446e3687fef347eb9b5f0dc308",
		shared:  "cfa83e098829fe82fd4c14355f70829015219942c01e2b85bdd9ac4889ec2921",
	},
	{
		tcID: 516, comment: "special case private key", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "b8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa6a",
		public:  "3e3e7708ef72a6dd78d858025089765b1c30a19715ac19e8d917067d208e0666",
		shared:  "4782036d6b136ca44a2fd7674d8afb0169943230ac8eab5160a212376c06d778",
	},
	{
		tcID: 517, comment: "special case private key", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "b8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa6a",
		public:  "9f40bb30f68ab67b1c4b8b664982fdab04ff385cd850deac732f7fb705e6013a",
		shared:  "65fc1e7453a3f8c7ebcd577ade4b8efe1035efc181ab3bdb2fcc7484cbcf1e4e",
	},
	{
		tcID: 518, comment: "special case private key", flags: []string{"EdgeCasePrivateKey"}, result: resultValid,
		private: "b8aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa6a",
		public:  "be3b3edeffaf83c54ae526379b23dd79f1cb41446e3687fef347eb9b5f0dc308",
		shared:  "e3c649beae7cc4a0698d519a0a61932ee5493cbb590dbe14db0274cc8611f914",
	},
}

// x25519FieldPrime is p = 2^255 - 19.
var x25519FieldPrime = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))

// isCanonicalU reports whether the little-endian u-coordinate u is below p.
// Every value with bit 255 set is 2^255 or more, so it is non-canonical too.
func isCanonicalU(u []byte) bool {
	bigEndian := slices.Clone(u)
	slices.Reverse(bigEndian)
	return new(big.Int).SetBytes(bigEndian).Cmp(x25519FieldPrime) < 0
}

// TestWycheproofX25519 runs the cases against curve.NewPrivateKey,
// curve.NewPublicKeyFromRaw and PrivateKey.Agree.
//
// Parley is stricter than RFC 7748, which Wycheproof follows, so the test
// computes from each case's public key and expected output what Parley must
// do, and checks that Wycheproof allows it:
//
//   - A public key of p or more, which includes every key with bit 255 set,
//     must fail to parse with curve.ErrNonCanonicalKey. Wycheproof must not
//     mark the case valid, and must flag it NonCanonicalPublic or
//     LowOrderPublic: cases 74 to 83 encode low-order points as u + p or
//     with bit 255 set and lack the NonCanonicalPublic flag.
//   - Otherwise, when the expected shared secret is all zero, parsing must
//     fail with curve.ErrWeakKey or Agree with curve.ErrZeroSharedSecret.
//     Wycheproof must not mark the case valid, and must flag it
//     ZeroSharedSecret.
//   - Otherwise parsing and Agree must succeed and Agree must return the
//     expected shared secret, whether the case is valid or acceptable. This
//     covers public keys on the twist.
//
// A case marked invalid must be rejected, though the file has none.
func TestWycheproofX25519(t *testing.T) {
	ran := 0
	for _, tc := range wycheproofX25519Cases {
		t.Run(wycheproofSubtest(tc.tcID), func(t *testing.T) {
			label := wycheproofLabel(tc.tcID, tc.comment, tc.flags, tc.result)
			public := mustHex(t, tc.public)
			shared := mustHex(t, tc.shared)
			require.Len(t, public, 32, label)
			require.Len(t, shared, 32, label)

			priv, err := curve.NewPrivateKey(mustHex(t, tc.private))
			require.NoError(t, err, label)

			var got [32]byte
			pub, err := curve.NewPublicKeyFromRaw(public)
			if err == nil {
				got, err = priv.Agree(pub)
			}

			switch {
			case !isCanonicalU(public):
				require.ErrorIs(t, err, curve.ErrNonCanonicalKey, label)
				assert.NotEqual(t, resultValid, tc.result, "Parley rejects a case that Wycheproof marks valid: %s", label)
				assert.True(t, slices.Contains(tc.flags, "NonCanonicalPublic") || slices.Contains(tc.flags, "LowOrderPublic"),
					"non-canonical key without a NonCanonicalPublic or LowOrderPublic flag: %s", label)

			case bytes.Equal(shared, make([]byte, 32)):
				require.Error(t, err, label)
				assert.True(t, errors.Is(err, curve.ErrWeakKey) || errors.Is(err, curve.ErrZeroSharedSecret),
					"got error %v, expected curve.ErrWeakKey or curve.ErrZeroSharedSecret: %s", err, label)
				assert.NotEqual(t, resultValid, tc.result, "Parley rejects a case that Wycheproof marks valid: %s", label)
				assert.Contains(t, tc.flags, "ZeroSharedSecret", label)

			case tc.result == resultInvalid:
				assert.Error(t, err, label)

			default:
				require.NoError(t, err, label)
				assert.Equal(t, tc.shared, hex.EncodeToString(got[:]), label)
			}
			ran++
		})
	}
	require.NotZero(t, ran, "no Wycheproof X25519 cases ran")
}
