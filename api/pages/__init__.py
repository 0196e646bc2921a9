"""The participants' and organisers' HTML pages of a salon (server-rendered, no JS needed)."""
