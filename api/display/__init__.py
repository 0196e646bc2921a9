"""The room display (issue 13): a full-screen page per salon, or per hall, for a big screen.

`service` computes what it shows (rounds, meetings by table, the server's time), `links` the
secret display link (no account: an HMAC of the salon by the site secret, like the printed
links), `pages` the routes: the organiser's page of display links, the display itself and its
small JSON state, polled by `templates/display/room.js`.
"""
