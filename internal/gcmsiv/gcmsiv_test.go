package gcmsiv

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rfcVector is one AEAD test vector from RFC 8452 appendix C. Result is the
// ciphertext followed by the tag.
type rfcVector struct {
	key, nonce, aad, plaintext, result string
}

const (
	c2Key   = "0100000000000000000000000000000000000000000000000000000000000000"
	c1Key   = "01000000000000000000000000000000"
	c2Nonce = "030000000000000000000000"
)

// aes256Vectors are the AEAD_AES_256_GCM_SIV vectors of RFC 8452 appendix
// C.2 and the counter-wrap vectors of appendix C.3, typed in from the RFC.
var aes256Vectors = []rfcVector{
	{c2Key, c2Nonce, "", "", "07f5f4169bbf55a8400cd47ea6fd400f"},
	{c2Key, c2Nonce, "", "0100000000000000", "c2ef328e5c71c83b843122130f7364b761e0b97427e3df28"},
	{c2Key, c2Nonce, "", "010000000000000000000000", "9aab2aeb3faa0a34aea8e2b18ca50da9ae6559e48fd10f6e5c9ca17e"},
	{c2Key, c2Nonce, "", "01000000000000000000000000000000", "85a01b63025ba19b7fd3ddfc033b3e76c9eac6fa700942702e90862383c6c366"},
	{c2Key, c2Nonce, "",
		"0100000000000000000000000000000002000000000000000000000000000000",
		"4a6a9db4c8c6549201b9edb53006cba821ec9cf850948a7c86c68ac7539d027fe819e63abcd020b006a976397632eb5d"},
	{c2Key, c2Nonce, "",
		"010000000000000000000000000000000200000000000000000000000000000003000000000000000000000000000000",
		"c00d121893a9fa603f48ccc1ca3c57ce7499245ea0046db16c53c7c66fe717e39cf6c748837b61f6ee3adcee17534ed5790bc96880a99ba804bd12c0e6a22cc4"},
	{c2Key, c2Nonce, "",
		"01000000000000000000000000000000020000000000000000000000000000000300000000000000000000000000000004000000000000000000000000000000",
		"c2d5160a1f8683834910acdafc41fbb1632d4a353e8b905ec9a5499ac34f96c7e1049eb080883891a4db8caaa1f99dd004d80487540735234e3744512c6f90ce112864c269fc0d9d88c61fa47e39aa08"},
	{c2Key, c2Nonce, "01", "0200000000000000", "1de22967237a813291213f267e3b452f02d01ae33e4ec854"},
	{c2Key, c2Nonce, "01", "020000000000000000000000", "163d6f9cc1b346cd453a2e4cc1a4a19ae800941ccdc57cc8413c277f"},
	{c2Key, c2Nonce, "01", "02000000000000000000000000000000", "c91545823cc24f17dbb0e9e807d5ec17b292d28ff61189e8e49f3875ef91aff7"},
	{c2Key, c2Nonce, "01",
		"0200000000000000000000000000000003000000000000000000000000000000",
		"07dad364bfc2b9da89116d7bef6daaaf6f255510aa654f920ac81b94e8bad365aea1bad12702e1965604374aab96dbbc"},
	{c2Key, c2Nonce, "01",
		"020000000000000000000000000000000300000000000000000000000000000004000000000000000000000000000000",
		"c67a1f0f567a5198aa1fcc8e3f21314336f7f51ca8b1af61feac35a86416fa47fbca3b5f749cdf564527f2314f42fe2503332742b228c647173616cfd44c54eb"},
	{c2Key, c2Nonce, "01",
		"02000000000000000000000000000000030000000000000000000000000000000400000000000000000000000000000005000000000000000000000000000000",
		"67fd45e126bfb9a79930c43aad2d36967d3f0e4d217c1e551f59727870beefc98cb933a8fce9de887b1e40799988db1fc3f91880ed405b2dd298318858467c895bde0285037c5de81e5b570a049b62a0"},
	{c2Key, c2Nonce, "010000000000000000000000", "02000000", "22b3f4cd1835e517741dfddccfa07fa4661b74cf"},
	{c2Key, c2Nonce, "010000000000000000000000000000000200",
		"0300000000000000000000000000000004000000",
		"43dd0163cdb48f9fe3212bf61b201976067f342bb879ad976d8242acc188ab59cabfe307"},
	{c2Key, c2Nonce, "0100000000000000000000000000000002000000",
		"030000000000000000000000000000000400",
		"462401724b5ce6588d5a54aae5375513a075cfcdf5042112aa29685c912fc2056543"},
	{"e66021d5eb8e4f4066d4adb9c33560e4f46e44bb3da0015c94f7088736864200", "e0eaf5284d884a0e77d31646",
		"", "", "169fbb2fbf389a995f6390af22228a62"},
	{"bae8e37fc83441b16034566b7a806c46bb91c3c5aedb64a6c590bc84d1a5e269", "e4b47801afc0577e34699b9e",
		"4fbdc66f14", "671fdd", "0eaccb93da9bb81333aee0c785b240d319719d"},
	{"6545fc880c94a95198874296d5cc1fd161320b6920ce07787f86743b275d1ab3", "2f6d1f0434d8848c1177441f",
		"6787f3ea22c127aaf195", "195495860f04", "a254dad4f3f96b62b84dc40c84636a5ec12020ec8c2c"},
	{"d1894728b3fed1473c528b8426a582995929a1499e9ad8780c8d63d0ab4149c0", "9f572c614b4745914474e7c7",
		"489c8fde2be2cf97e74e932d4ed87d", "c9882e5386fd9f92ec",
		"0df9e308678244c44bc0fd3dc6628dfe55ebb0b9fb2295c8c2"},
	{"a44102952ef94b02b805249bac80e6f61455bfac8308a2d40d8c845117808235", "5c9e940fea2f582950a70d5a",
		"0da55210cc1c1b0abde3b2f204d1e9f8b06bc47f", "1db2316fd568378da107b52b",
		"8dbeb9f7255bf5769dd56692404099c2587f64979f21826706d497d5"},
	{"9745b3d1ae06556fb6aa7890bebc18fe6b3db4da3d57aa94842b9803a96e07fb", "6de71860f762ebfbd08284e4",
		"f37de21c7ff901cfe8a69615a93fdf7a98cad481796245709f", "21702de0de18baa9c9596291b08466",
		"793576dfa5c0f88729a7ed3c2f1bffb3080d28f6ebb5d3648ce97bd5ba67fd"},
	{"b18853f68d833640e42a3c02c25b64869e146d7b233987bddfc240871d7576f7", "028ec6eb5ea7e298342a94d4",
		"9c2159058b1f0fe91433a5bdc20e214eab7fecef4454a10ef0657df21ac7", "b202b370ef9768ec6561c4fe6b7e7296fa85",
		"857e16a64915a787637687db4a9519635cdd454fc2a154fea91f8363a39fec7d0a49"},
	{"3c535de192eaed3822a2fbbe2ca9dfc88255e14a661b8aa82cc54236093bbc23", "688089e55540db1872504e1c",
		"734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f167541",
		"ced532ce4159b035277d4dfbb7db62968b13cd4eec",
		"626660c26ea6612fb17ad91e8e767639edd6c9faee9d6c7029675b89eaf4ba1ded1a286594"},
	// Appendix C.3: the counter wraps from 2^32-1 to 0.
	{"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "",
		"000000000000000000000000000000004db923dc793ee6497c76dcc03a98e108",
		"f3f80f2cf0cb2dd9c5984fcda908456cc537703b5ba70324a6793a7bf218d3eaffffffff000000000000000000000000"},
	{"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000", "",
		"eb3640277c7ffd1303c7a542d02d3e4c0000000000000000",
		"18ce4f0b8cb4d0cac65fea8f79257b20888e53e72299e56dffffffff000000000000000000000000"},
}

// aes128Vectors are a few AEAD_AES_128_GCM_SIV vectors from RFC 8452
// appendix C.1, which check the AES-128 key derivation.
var aes128Vectors = []rfcVector{
	{c1Key, c2Nonce, "", "", "dc20e2d83f25705bb49e439eca56de25"},
	{c1Key, c2Nonce, "", "0100000000000000", "b5d839330ac7b786578782fff6013b815b287c22493a364c"},
	{c1Key, c2Nonce, "", "01000000000000000000000000000000", "743f7c8077ab25f8624e2e948579cf77303aaf90f6fe21199c6068577437a0c4"},
	{c1Key, c2Nonce, "01", "020000000000000000000000", "296c7889fd99f41917f4462008299c5102745aaa3a0c469fad9e075a"},
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func runVectors(t *testing.T, vectors []rfcVector) {
	for i, v := range vectors {
		key, nonce := unhex(t, v.key), unhex(t, v.nonce)
		aad, pt, want := unhex(t, v.aad), unhex(t, v.plaintext), unhex(t, v.result)
		a, err := New(key)
		require.NoError(t, err)

		got := a.Seal(nil, nonce, pt, aad)
		assert.Equal(t, hex.EncodeToString(want), hex.EncodeToString(got), "vector %d: seal", i)

		opened, err := a.Open(nil, nonce, want, aad)
		require.NoError(t, err, "vector %d: open", i)
		assert.Equal(t, hex.EncodeToString(pt), hex.EncodeToString(opened), "vector %d: plaintext", i)
	}
}

func TestRFC8452AES256(t *testing.T) { runVectors(t, aes256Vectors) }

func TestRFC8452AES128(t *testing.T) { runVectors(t, aes128Vectors) }

// TestPOLYVAL checks POLYVAL alone with the record authentication keys,
// POLYVAL inputs and POLYVAL results listed in RFC 8452 appendix C.2.
func TestPOLYVAL(t *testing.T) {
	const h = "b5d3c529dfafac43136d2d11be284d7f"
	cases := []struct{ key, input, result string }{
		{h, "00000000000000000000000000000000", "00000000000000000000000000000000"},
		{h, "0100000000000000000000000000000000000000000000004000000000000000", "05230f62f0eac8aa14fe4d646b59cd41"},
		{h, "0100000000000000000000000000000000000000000000006000000000000000", "6d81a24732fd6d03ae5af544720a1c13"},
		{h, "0100000000000000000000000000000000000000000000008000000000000000", "74eee2bf7c9a165f8b25dea73db32a6d"},
		{h, "0100000000000000000000000000000002000000000000000000000000000000" +
			"00000000000000000001000000000000",
			"899b6381b3d46f0def7aa0517ba188f5"},
		{h, "0100000000000000000000000000000002000000000000000000000000000000" +
			"0300000000000000000000000000000004000000000000000000000000000000" +
			"00000000000000000002000000000000",
			"6ef38b06046c7c0e225efaef8e2ec4c4"},
		{"e40d26f82774aa27f47b047b608b9585", "00000000000000000000000000000000", "00000000000000000000000000000000"},
		{"b546f5a850d0a90adfe39e95c2510fc6",
			"4fbdc66f140000000000000000000000671fdd0000000000000000000000000028000000000000001800000000000000",
			"b91f91f96b159a7c611c05035b839e92"},
		{"cb8c3aa3f8dbaeb4b28a3e86ff6625f8",
			"734320ccc9d9bbbb19cb81b2af4ecbc3e72834321f7aa0f70b7282b4f33df23f16754100000000000000000000000000" +
				"ced532ce4159b035277d4dfbb7db62968b13cd4eec00000000000000000000001801000000000000a800000000000000",
			"ffd503c7dd712eb3791b7114b17bb0cf"},
	}
	for i, c := range cases {
		p := newPolyval(unhex(t, c.key))
		p.update(unhex(t, c.input))
		var out [16]byte
		p.sum(out[:])
		assert.Equal(t, c.result, hex.EncodeToString(out[:]), "case %d", i)
	}
}

func TestDotIdentity(t *testing.T) {
	a := fieldElement{lo: 0x0123456789abcdef, hi: 0xfedcba9876543210}
	// dot(a, x^128 mod P) == a. x^128 mod P is x^127 + x^126 + x^121 + 1.
	r := fieldElement{lo: 1, hi: 1<<63 | 1<<62 | 1<<57}
	assert.Equal(t, a, dot(a, r))
	assert.Equal(t, a, dot(r, a))
}

func TestOpenTampered(t *testing.T) {
	key := unhex(t, "bae8e37fc83441b16034566b7a806c46bb91c3c5aedb64a6c590bc84d1a5e269")
	nonce := unhex(t, "e4b47801afc0577e34699b9e")
	aad := unhex(t, "4fbdc66f14")
	ct := unhex(t, "0eaccb93da9bb81333aee0c785b240d319719d")
	a, err := New(key)
	require.NoError(t, err)

	for i := range ct {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(ct)
			bad[i] ^= bit
			_, err := a.Open(nil, nonce, bad, aad)
			assert.ErrorIs(t, err, ErrOpen, "byte %d bit %#x", i, bit)
		}
	}

	badNonce := bytes.Clone(nonce)
	badNonce[0] ^= 1
	_, err = a.Open(nil, badNonce, ct, aad)
	assert.ErrorIs(t, err, ErrOpen, "nonce")

	_, err = a.Open(nil, nonce, ct, []byte{0x4f})
	assert.ErrorIs(t, err, ErrOpen, "additional data")

	_, err = a.Open(nil, nonce, ct[:TagSize-1], aad)
	assert.ErrorIs(t, err, ErrOpen, "short")

	_, err = a.Open(nil, nonce, ct[1:], aad)
	assert.ErrorIs(t, err, ErrOpen, "truncated front")
}

func TestOpenZeroesOutputOnFailure(t *testing.T) {
	a, err := New(make([]byte, KeySize))
	require.NoError(t, err)
	nonce := make([]byte, NonceSize)
	ct := a.Seal(nil, nonce, []byte("some secret plaintext"), nil)
	ct[len(ct)-1] ^= 1

	dst := make([]byte, 0, len(ct))
	_, err = a.Open(dst, nonce, ct, nil)
	require.ErrorIs(t, err, ErrOpen)
	assert.Equal(t, make([]byte, len(ct)-TagSize), dst[:len(ct)-TagSize])
}

func TestSealInPlace(t *testing.T) {
	a, err := New(unhex(t, c2Key))
	require.NoError(t, err)
	nonce := unhex(t, c2Nonce)
	pt := unhex(t, "0100000000000000000000000000000002000000000000000000000000000000")
	buf := make([]byte, len(pt), len(pt)+TagSize)
	copy(buf, pt)

	ct := a.Seal(buf[:0], nonce, buf, nil)
	assert.Equal(t, "4a6a9db4c8c6549201b9edb53006cba821ec9cf850948a7c86c68ac7539d027fe819e63abcd020b006a976397632eb5d", hex.EncodeToString(ct))

	out, err := a.Open(ct[:0], nonce, ct, nil)
	require.NoError(t, err)
	assert.Equal(t, pt, out)
}

func TestSealAppends(t *testing.T) {
	a, err := New(unhex(t, c2Key))
	require.NoError(t, err)
	prefix := []byte("prefix")
	out := a.Seal(bytes.Clone(prefix), unhex(t, c2Nonce), unhex(t, "0100000000000000"), nil)
	assert.Equal(t, prefix, out[:len(prefix)])
	assert.Equal(t, "c2ef328e5c71c83b843122130f7364b761e0b97427e3df28", hex.EncodeToString(out[len(prefix):]))
}

func TestNewInvalidKey(t *testing.T) {
	for _, n := range []int{0, 15, 24, 31, 33} {
		_, err := New(make([]byte, n))
		assert.Error(t, err, "size %d", n)
	}
}

func TestWrongNoncePanics(t *testing.T) {
	a, err := New(make([]byte, KeySize))
	require.NoError(t, err)
	assert.Panics(t, func() { a.Seal(nil, make([]byte, 11), nil, nil) })
	assert.Panics(t, func() { _, _ = a.Open(nil, make([]byte, 13), make([]byte, 16), nil) })
}
