#!/usr/bin/perl
# SPDX-License-Identifier: GPL-2.0-or-later
# The dh sequence add-on: "dh $@ --with jabber-dispatch", or Build-Depends: dh-sequence-jabber-dispatch.
use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;

insert_after('dh_install', 'dh_jabber_dispatch');

1;
