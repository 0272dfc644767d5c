package interop

import "time"

// nowForKeys is the creation time given to prekeys in these tests.
var nowForKeys = time.Unix(1767225600, 0)
